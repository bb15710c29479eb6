import { mkdirSync } from 'node:fs';
import { runSeed, writeTables, type SeedResult } from './run.js';
import type { CreditSettings } from './settings.js';
import { writeSummary } from './summary.js';

/** Runs every network × seed, writes the tables after each seed (partial runs keep their numbers) and the summary. */
export async function runCreditExperiment(
  s: CreditSettings,
  command: string,
  backend: string,
  log: (m: string) => void = console.log,
): Promise<{ results: SeedResult[]; files: string[] }> {
  mkdirSync(s.out, { recursive: true });
  const t0 = performance.now();
  const results: SeedResult[] = [];
  let files: string[] = [];
  for (const network of s.networks) {
    for (let k = 0; k < s.seeds; k++) {
      results.push(await runSeed(network, s.seedOffset + k, s, log));
      files = [...writeTables(s.out, results), ...writeSummary(results, s, command, backend, (performance.now() - t0) / 1000)];
    }
  }
  return { results, files };
}
