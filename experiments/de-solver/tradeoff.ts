/**
 * The first-jump trade-off of the DE solver: how accurate a Koopman jump is (T_eq/h,
 * error-to-growth) against how far it reaches (h), for windows ending at several steps, on plain
 * runs. It explains the `best` rows of summary.md: the guard keeps the candidate with the lowest
 * loss, which for these smooth runs is the longest; this measures what every other choice would
 * have given, and what a rule that only looks at data the plugin has (two fits of the same
 * window) would pick.
 *
 * For each optimizer and seed: one plain run (the training of run.ts) to max(end) + max(h); at
 * each window end e, node operators (the `best` fit: full rank, constant observable, stabilised;
 * and the same unstabilised) are fitted on the window [e − window, e] recorded every `stride` steps, and on its second half;
 * each candidate h is scored against the plain run: loss, T_eq/h, error-to-growth, and the
 * disagreement of the two fits (median |w_full − w_half| ÷ median |w_full − w(e)|).
 *
 * This file is the command line; the scoring is in tradeoff-score.ts, the horizon rules in
 * tradeoff-rules.ts, the summary in tradeoff-report.ts.
 *
 *   npx tsx experiments/de-solver/tradeoff.ts --seeds 10 --out results/de-solver/tradeoff
 *   npx tsx experiments/de-solver/tradeoff.ts --seeds 5 --seed-offset 5 --out results/de-solver/tradeoff   # a second process
 *   npx tsx experiments/de-solver/tradeoff.ts --report-only --out results/de-solver/tradeoff
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { selectBackend } from '../../src/backend/index.js';
import { ProgressBar, writeCsv } from '../shared/report/index.js';
import { OPTIMIZERS, type OptimizerName } from '../shared/de-solver/optimizers.js';
import { writeTradeoffReport } from './tradeoff-report.js';
import { TRADEOFF_COLUMNS, TRADEOFF_DEFAULTS, tradeoffJob, type TradeoffJob } from './tradeoff-score.js';

const list = (s: string) => s.split(',').map((v) => Number(v.trim()));

async function main(): Promise<void> {
  const a = await yargs(hideBin(process.argv))
    .scriptName('tradeoff')
    .option('optimizer', { choices: [...OPTIMIZERS, 'all'] as const, default: 'all' as const })
    .option('seeds', { type: 'number', default: 10 })
    .option('seed-offset', { type: 'number', default: 0 })
    .option('ends', { type: 'string', default: TRADEOFF_DEFAULTS.ends.join(','), describe: 'window ends (jump steps), comma-separated' })
    .option('horizons', { type: 'string', default: TRADEOFF_DEFAULTS.horizons.join(','), describe: 'candidate horizons, comma-separated' })
    .option('window', { type: 'number', default: TRADEOFF_DEFAULTS.window })
    .option('stride', { type: 'number', default: TRADEOFF_DEFAULTS.stride })
    .option('backend', { type: 'string', default: 'wasm' })
    .option('out', { type: 'string', default: 'results/de-solver/tradeoff' })
    .option('report-only', { type: 'boolean', default: false })
    .strict()
    .help()
    .parseAsync();
  const command = 'npx tsx experiments/de-solver/tradeoff.ts --report-only --out ' + a.out;
  if (a['report-only']) {
    console.table(writeTradeoffReport(a.out, command));
    return;
  }
  if (!Number.isInteger(a.seeds) || a.seeds < 1) throw new Error(`--seeds must be an integer ≥ 1; got ${a.seeds}`);
  await selectBackend(a.backend);
  const optimizers: OptimizerName[] = a.optimizer === 'all' ? [...OPTIMIZERS] : [a.optimizer];
  const ends = list(a.ends);
  const horizons = list(a.horizons);
  const jobs: TradeoffJob[] = [];
  for (let k = 0; k < a.seeds; k++) for (const optimizer of optimizers) jobs.push({ optimizer, seed: a['seed-offset'] + k, ends, horizons, window: a.window, stride: a.stride, fits: TRADEOFF_DEFAULTS.fits });
  const steps = Math.max(...ends) + Math.max(...horizons);
  const bar = new ProgressBar(jobs.length * steps, `tradeoff ${jobs.length} runs`);
  mkdirSync(join(a.out, 'jobs'), { recursive: true });
  for (const job of jobs) {
    const rows = await tradeoffJob(job, (n) => bar.tick(n));
    writeCsv(join(a.out, 'jobs', `${job.optimizer}-seed${job.seed}.csv`), rows as unknown as Record<string, unknown>[], TRADEOFF_COLUMNS);
  }
  bar.finish(`${jobs.length} runs`);
  console.table(writeTradeoffReport(a.out, command));
}

if (process.argv[1] && /tradeoff\.[jt]s$/.test(process.argv[1])) {
  main().catch((err: Error) => {
    console.error(`tradeoff: ${err.message}`);
    process.exitCode = 1;
  });
}
