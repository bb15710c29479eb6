import { cpus, platform, release } from 'node:os';
import { join, relative } from 'node:path';
import { ProgressBar } from '../shared/report/index.js';
import { existsSync } from 'node:fs';
import { writeCsv } from '../shared/report/index.js';
import { BEST_PRESETS, QUICK_SCHEDULE, QUICK_SEEDS, PAPER_SCHEDULE, bestSettings, validateSchedule, type BestPreset, type Schedule } from '../shared/de-solver/config.js';
import { OPTIMIZERS, type OptimizerName } from '../shared/de-solver/optimizers.js';
import { writeReport, type SummaryRow } from './report.js';
import { existingSchedule, mergeFolder, readSessions, storeRuns, writeDetail, writeSessions, type Session } from './store.js';
import { runPool } from './pool.js';
import type { RunJob } from './results.js';
import { writeTradeoffReport } from './tradeoff-report.js';
import { TRADEOFF_COLUMNS, tradeoffSettings } from './tradeoff-score.js';

export interface DeSolverOptions {
  /** One optimizer or all three. @default 'all' */
  optimizer?: OptimizerName | 'all';
  /** Seeds per optimizer. @default 25 (the paper's), 2 with quick */
  seeds?: number;
  /** First seed, so later sessions can append seeds to the same out dir. @default 0 */
  seedOffset?: number;
  /** Schedule overrides (steps, t1, t2, horizon). @default the paper's, or QUICK_SCHEDULE with quick */
  steps?: number;
  t1?: number;
  t2?: number;
  horizon?: number;
  /** Scaled-down run for tests and smoke checks (1/50 of the paper's schedule, 2 seeds). @default false */
  quick?: boolean;
  /** Output folder. @default 'results/de-solver' */
  out?: string;
  /** tfjs backend. @default 'auto' */
  backend?: string;
  /** Worker processes. @default 2 */
  jobs?: number;
  /** The `best` configuration: `reach` (guard keeps the lowest loss) or `agree` (guard.agreement, unstabilised fits). @default 'reach' */
  best?: BestPreset;
  /** The command line recorded in sessions.json and summary.md. @default reconstructed from the options */
  command?: string;
  /** Print the progress bar and the summary. @default true */
  verbose?: boolean;
  /** Run nothing: rewrite summary.csv, summary.md and the plots from the out dir. @default false */
  reportOnly?: boolean;
  /** Run nothing: merge the runs of this out dir into `out`, then rewrite the report. */
  mergeFrom?: string;
}

export const DE_SOLVER_DEFAULTS = Object.freeze({ optimizer: 'all' as const, seeds: 25, seedOffset: 0, out: 'results/de-solver', backend: 'auto', jobs: 2, best: 'reach' as BestPreset });

/** The command line that reproduces a run with these options. */
export function commandLine(o: DeSolverOptions): string {
  const parts = ['tfjs-koopman experiment de-solver'];
  if (o.quick) parts.push('--quick');
  parts.push(`--optimizer ${o.optimizer ?? DE_SOLVER_DEFAULTS.optimizer}`);
  if (o.seeds !== undefined) parts.push(`--seeds ${o.seeds}`);
  if (o.seedOffset) parts.push(`--seed-offset ${o.seedOffset}`);
  for (const k of ['steps', 't1', 't2', 'horizon'] as const) if (o[k] !== undefined) parts.push(`--${k} ${o[k]}`);
  if (o.best && o.best !== DE_SOLVER_DEFAULTS.best) parts.push(`--best ${o.best}`);
  parts.push(`--jobs ${o.jobs ?? DE_SOLVER_DEFAULTS.jobs}`, `--backend ${o.backend ?? DE_SOLVER_DEFAULTS.backend}`, `--out ${o.out ?? DE_SOLVER_DEFAULTS.out}`);
  return parts.join(' ');
}

/**
 * Runs the experiment: for every seed and optimizer the plain run (with the paper's jump made and
 * undone at t2) and the best run, on `jobs` worker processes; after every finished job merges
 * runs.csv and rewrites summary.csv, summary.md and the plots, so a stopped session keeps its runs.
 */
export async function runDeSolver(options: DeSolverOptions = {}): Promise<SummaryRow[]> {
  const o = { ...DE_SOLVER_DEFAULTS, ...stripUndefined(options) };
  if (o.mergeFrom) {
    mergeFolder(o.out, o.mergeFrom);
    o.reportOnly = true;
  }
  if (o.reportOnly) {
    if (!existingSchedule(o.out)) throw new Error(`--report-only: ${o.out}/runs.csv does not exist`);
    const summary = writeReport(o.out);
    rewriteTradeoff(o.out);
    if (o.verbose ?? true) console.table(summary);
    return summary;
  }
  const base = o.quick ? QUICK_SCHEDULE : PAPER_SCHEDULE;
  const schedule: Schedule = { steps: o.steps ?? base.steps, t1: o.t1 ?? base.t1, t2: o.t2 ?? base.t2, horizon: o.horizon ?? base.horizon };
  validateSchedule(schedule);
  const seeds = options.seeds ?? (o.quick ? QUICK_SEEDS : DE_SOLVER_DEFAULTS.seeds);
  if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds must be an integer ≥ 1; got ${seeds}`);
  if (!Number.isInteger(o.seedOffset) || o.seedOffset < 0) throw new Error(`--seed-offset must be an integer ≥ 0; got ${o.seedOffset}`);
  if (!Number.isInteger(o.jobs) || o.jobs < 1) throw new Error(`--jobs must be an integer ≥ 1; got ${o.jobs}`);
  if (o.optimizer !== 'all' && !(OPTIMIZERS as readonly string[]).includes(o.optimizer)) {
    throw new Error(`--optimizer must be one of ${[...OPTIMIZERS, 'all'].join(', ')}; got ${o.optimizer}`);
  }
  const optimizers: OptimizerName[] = o.optimizer === 'all' ? [...OPTIMIZERS] : [o.optimizer as OptimizerName];
  const existing = existingSchedule(o.out);
  if (existing && (['steps', 't1', 't2', 'horizon'] as const).some((k) => existing[k] !== schedule[k])) {
    throw new Error(
      `${o.out} holds runs of schedule ${JSON.stringify(existing)}, not ${JSON.stringify(schedule)}: use another --out (quick runs and paper-scale runs cannot share one summary)`,
    );
  }
  const preset = BEST_PRESETS[o.best];
  if (!preset) throw new Error(`--best must be one of ${Object.keys(BEST_PRESETS).join(', ')}; got ${String(o.best)}`);
  const best = bestSettings(schedule, preset);
  const sessions = readSessions(o.out);
  const clash = sessions.find((x) => JSON.stringify(x.best) !== JSON.stringify(best));
  if (clash) {
    throw new Error(`${o.out} holds runs made with other best settings (${JSON.stringify(clash.best)}), not ${JSON.stringify(best)}: use another --out (one summary, one best configuration)`);
  }
  const tradeoff = tradeoffSettings(schedule);
  const jobs: RunJob[] = [];
  for (let k = 0; k < seeds; k++) for (const optimizer of optimizers) jobs.push({ optimizer, seed: o.seedOffset + k, schedule, best, tradeoff });

  const session: Session = {
    started: new Date().toISOString(),
    finished: 'running',
    command: o.command ?? commandLine(options),
    invoked: ['node', ...process.argv.slice(1).map((a) => (a.startsWith('/') ? relative(process.cwd(), a) || '.' : a))].join(' '),
    optimizers,
    seeds: [],
    jobs: o.jobs,
    backend: o.backend,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    os: `${platform()} ${release()}`,
    node: process.version,
    schedule,
    best,
  };
  sessions.push(session);
  writeSessions(o.out, sessions);
  const verbose = o.verbose ?? true;
  const bar = verbose ? new ProgressBar(jobs.length * 2 * schedule.steps, `de-solver ${jobs.length} jobs`) : null;
  let done = 0;
  let summary: SummaryRow[] = [];
  // A stopped session keeps its finished jobs and says so.
  const onSignal = (sig: NodeJS.Signals) => {
    session.finished = `stopped by ${sig} at ${new Date().toISOString()} after ${done}/${jobs.length} jobs`;
    writeSessions(o.out, sessions);
    if (done) writeReport(o.out);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const backend = await runPool(jobs, {
    workers: o.jobs,
    backend: o.backend,
    onSteps: (n) => bar?.tick(n, `${done}/${jobs.length} jobs done`),
    onResult: (job, result) => {
      done++;
      storeRuns(o.out, result.rows);
      writeDetail(o.out, result.detail);
      if (result.tradeoffError) console.warn(`\n${job.optimizer} seed ${job.seed}: trade-off not scored: ${result.tradeoffError}`);
      if (result.tradeoff.length) {
        writeCsv(join(o.out, 'tradeoff', 'jobs', `${job.optimizer}-seed${job.seed}.csv`), result.tradeoff as unknown as Record<string, unknown>[], TRADEOFF_COLUMNS);
        rewriteTradeoff(o.out);
      }
      if (!session.seeds.includes(job.seed)) session.seeds.push(job.seed);
      session.backend = result.rows[0]?.backend ?? session.backend;
      session.finished = `running (${done}/${jobs.length} jobs done)`;
      writeSessions(o.out, sessions);
      summary = writeReport(o.out);
    },
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  session.backend = backend;
  session.finished = new Date().toISOString();
  writeSessions(o.out, sessions);
  summary = writeReport(o.out);
  bar?.finish(`${done}/${jobs.length} jobs done`);
  if (verbose) {
    console.log(`\nwrote ${o.out}/runs.csv, summary.csv, summary.md and plots`);
    console.table(summary);
  }
  return summary;
}

/** Rewrites `<out>/tradeoff/summary.*` when the out dir holds trade-off rows. */
function rewriteTradeoff(out: string): void {
  if (!existsSync(join(out, 'tradeoff', 'jobs'))) return;
  const s = existingSchedule(out);
  const t = s ? tradeoffSettings(s) : null;
  writeTradeoffReport(join(out, 'tradeoff'), `tfjs-koopman experiment de-solver --report-only --out ${out}`, t?.window, t?.stride);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
