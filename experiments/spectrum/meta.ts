/** The study's meta data (command, backend, machine load, wall time) kept in study.json beside the CSVs. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SummaryMeta } from './summary.js';

/** What `--report-only` needs besides the CSVs: how and where the runs were made. */
export type StudyMeta = SummaryMeta & { loadAverage?: number[]; finished?: string };

export function writeStudyMeta(out: string, meta: StudyMeta): void {
  writeFileSync(join(out, 'study.json'), JSON.stringify(meta, null, 2) + '\n');
}

/**
 * The study's meta data from `study.json`, or (for folders written before it existed) from the
 * command and wall-time lines of an existing summary.md.
 */
export function readStudyMeta(out: string): StudyMeta {
  const p = join(out, 'study.json');
  if (existsSync(p)) return JSON.parse(readFileSync(p, 'utf8')) as StudyMeta;
  const md = join(out, 'summary.md');
  if (!existsSync(md)) throw new Error(`${out}: neither study.json nor summary.md found; run the study first`);
  const text = readFileSync(md, 'utf8');
  const command = /^Command: `(.*)`$/m.exec(text)?.[1];
  const wall = /Wall time ([\d.]+) min/.exec(text)?.[1];
  const backend = /tfjs backend `([^`]+)`/.exec(text)?.[1];
  const load = /load average ([\d.]+) \/ ([\d.]+) \/ ([\d.]+) at the end/.exec(text);
  if (!command || !wall || !backend) throw new Error(`${md}: cannot read the command, backend and wall time of the study`);
  return { command, backend, backendNotes: [], wallSeconds: 60 * Number(wall), loadAverage: load ? load.slice(1, 4).map(Number) : undefined };
}
