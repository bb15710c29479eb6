import { mkdirSync } from 'node:fs';
import { selectBackend } from '../../src/backend/select.js';
import type { TaskResult } from './common.js';
import type { KannSettings } from './settings.js';
import { writeSummary } from './summary.js';
import { runBeats } from './task-beats.js';
import { runCopy } from './task-copy.js';
import { runSentiment } from './task-sentiment.js';

/** Runs the selected KANN studies and writes summary.csv, summary.md and the SVG plots to `s.out`. */
export async function runKann(s: KannSettings, command: string): Promise<{ results: TaskResult[]; summaryPath: string }> {
  const info = await selectBackend(s.backend);
  s.backend = info.name;
  mkdirSync(s.out, { recursive: true });
  const t0 = Date.now();
  const results: TaskResult[] = [];
  for (const task of s.tasks) {
    if (task === 'copy') results.push(await runCopy(s));
    else if (task === 'sentiment') results.push(await runSentiment(s));
    else results.push(await runBeats(s));
    // a summary after every task, so a long run leaves partial results
    writeSummary(s, results, command, (Date.now() - t0) / 1000);
  }
  const summaryPath = writeSummary(s, results, command, (Date.now() - t0) / 1000);
  return { results, summaryPath };
}
