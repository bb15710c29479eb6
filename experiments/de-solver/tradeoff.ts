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
 *   npx tsx experiments/de-solver/tradeoff.ts --seeds 10 --out results/de-solver/tradeoff
 *   npx tsx experiments/de-solver/tradeoff.ts --seeds 5 --seed-offset 5 --out results/de-solver/tradeoff   # a second process
 *   npx tsx experiments/de-solver/tradeoff.ts --report-only --out results/de-solver/tradeoff
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { selectBackend } from '../../src/backend/index.js';
import { predictionDisagreement } from '../../src/koopman/agreement.js';
import { fitRows } from '../../src/koopman/fit.js';
import { minSnapshots, resolveFitOptions, type FitOptions } from '../../src/koopman/options.js';
import { equivalentSteps, errorToGrowth, median } from '../../src/metrics/index.js';
import { partitionWeights, scatterGroup } from '../../src/partition/partition.js';
import { ProgressBar, cellNumber, readCsv, writeCsv } from '../shared/report/index.js';
import { describeModel, readWeights, writeWeights } from '../../src/tfjs/index.js';
import { BEST_AT_PAPER_SCALE, PAPER_SCHEDULE, SOLVER_PARTITION, type Schedule } from './config.js';
import { HIDDEN_UNITS, buildSolverNet, physicsLoss, physicsLossValue, solverVariables } from './network.js';
import { OPTIMIZERS, makeOptimizer, setLearningRate, type OptimizerName } from './optimizers.js';
import { PAPER_PROBLEM, learningRate, trainingTimes } from './problem.js';

export interface TradeoffJob {
  optimizer: OptimizerName;
  seed: number;
  /** Window ends (the jump steps). */
  ends: number[];
  horizons: number[];
  window: number;
  stride: number;
  /** Fit variants, by name; every window is fitted with each. */
  fits: Record<string, FitOptions>;
}

/** One candidate of one window: row of tradeoff CSVs. */
export interface TradeoffRow {
  optimizer: OptimizerName;
  seed: number;
  /** Name of the fit variant. */
  fit: string;
  end: number;
  h: number;
  loss_end: number;
  loss_ko: number;
  loss_plain: number;
  teq_over_h: number;
  /** The plain run ended before it reached the Koopman loss: T_eq/h is a lower bound. */
  teq_censored: boolean;
  error_to_growth: number;
  disagreement: number;
}

/** The paper-scale settings: the `best` window, stride and fit; ends from its first jump to t2. */
export const TRADEOFF_DEFAULTS = Object.freeze({
  ends: [7_500, 10_000, 15_000, 20_000, 30_000],
  horizons: [...BEST_AT_PAPER_SCALE.candidates],
  window: BEST_AT_PAPER_SCALE.window,
  stride: BEST_AT_PAPER_SCALE.recordEvery,
  /** The reference run's `best` fit, and the same without stabilisation. */
  fits: { stabilised: { rank: -1, affine: true, stabilize: true }, unstabilised: { rank: -1, affine: true, stabilize: false } } as Record<string, FitOptions>,
});

/** The trade-off settings for a schedule: the paper-scale ones scaled by T / 2 500 like `best` (stride at least 1). */
export function tradeoffSettings(s: Schedule): { ends: number[]; horizons: number[]; window: number; stride: number; fits: Record<string, FitOptions> } {
  const f = s.horizon / PAPER_SCHEDULE.horizon;
  const k = Math.max(1, Math.round(TRADEOFF_DEFAULTS.stride * f));
  // ends and horizons on multiples of k (as bestSettings rounds the candidates), the window on multiples of 2k (it is halved)
  const r = (v: number, m: number) => Math.max(m, Math.round((v * f) / m) * m);
  const window = r(TRADEOFF_DEFAULTS.window, 2 * k);
  const fits = TRADEOFF_DEFAULTS.fits;
  // The half window must hold enough snapshots for the largest group (a node of the second layer, 11 weights).
  const need = Math.max(...Object.values(fits).map((o) => minSnapshots(SOLVER_MAX_GROUP, resolveFitOptions(o))));
  const ends = window / (2 * k) + 1 < need ? [] : [...new Set(TRADEOFF_DEFAULTS.ends.map((e) => r(e, k)))].filter((e) => e >= window && e < s.steps);
  return { ends, horizons: [...new Set(TRADEOFF_DEFAULTS.horizons.map((h) => r(h, k)))], window, stride: k, fits };
}

/** Weights of the largest group of the solver partition: a node of the second hidden layer (its inputs and bias). */
const SOLVER_MAX_GROUP = HIDDEN_UNITS + 1;

/** Checks the window ends, horizons and window against the stride, naming what is at fault. */
export function validateTradeoff(ends: number[], horizons: number[], window: number, stride: number): void {
  if (!ends.length || !horizons.length) throw new Error('the trade-off needs at least one window end and one horizon');
  for (const v of [...ends, ...horizons, window]) {
    if (!Number.isInteger(v) || v <= 0 || v % stride !== 0) throw new Error(`ends, horizons and window must be positive multiples of the stride ${stride}; got ${v}`);
  }
  if (window % (2 * stride) !== 0) throw new Error(`window (${window}) must be a multiple of 2 × stride (${2 * stride}) to fit its second half`);
  for (const e of ends) if (e < window) throw new Error(`window end ${e} comes before a window of ${window} steps can be recorded`);
}

/** A plain run's trajectory: weights after s steps at every multiple of `stride`, losses after every step. */
export interface PlainTrajectory {
  stride: number;
  wAt: (step: number) => Float32Array;
  /** losses[s]: loss of the weights after s steps. */
  losses: Float64Array;
}

/**
 * Scores every (fit, end, h) on a plain trajectory: fits the window [end − window, end] and its
 * newer half, predicts h steps, and evaluates the loss with `lossOf` (which may overwrite the
 * model's weights). Pairs with end + h past the trajectory are skipped.
 */
export function scoreWindows(
  p: PlainTrajectory,
  o: { optimizer: OptimizerName; seed: number; ends: number[]; horizons: number[]; window: number; stride: number; fits: Record<string, FitOptions> },
  model: tf.LayersModel,
  lossOf: (w: Float32Array) => number,
): TradeoffRow[] {
  const { wAt, losses } = p;
  // the operators are o.stride-step maps (the plugin's recordEvery); the trajectory must hold those snapshots
  const stride = o.stride;
  if (stride % p.stride !== 0) throw new Error(`the trade-off stride ${stride} is not a multiple of the stored trajectory's stride ${p.stride}`);
  validateTradeoff(o.ends, o.horizons, o.window, stride);
  const last = losses.length - 1;
  const part = partitionWeights(describeModel(model), SOLVER_PARTITION);
  const fitWindow = (start: number, end: number, fo: ReturnType<typeof resolveFitOptions>) => {
    const m = (end - start) / stride + 1;
    return part.groups.map((g) => {
      const d = g.indices.length;
      const rows = new Float64Array(d * m);
      for (let k = 0; k < m; k++) {
        const w = wAt(start + k * stride);
        for (let i = 0; i < d; i++) rows[i * m + k] = w[g.indices[i]];
      }
      return fitRows(rows, d, m, fo, g.id);
    });
  };
  const rows: TradeoffRow[] = [];
  for (const [fitName, fitOptions] of Object.entries(o.fits)) {
    const fo = resolveFitOptions(fitOptions);
    for (const e of o.ends) {
      const reachable = o.horizons.filter((h) => e + h <= last);
      if (reachable.length === 0) continue;
      const full = fitWindow(e - o.window, e, fo);
      const half = fitWindow(e - o.window / 2, e, fo);
      const base = Float32Array.from(wAt(e));
      const x0 = part.groups.map((g) => Array.from(g.indices, (i) => base[i]));
      for (const h of reachable) {
        // each whole-window group prediction once: for the weights and for the agreement measure
        const x = full.map((op, gi) => op.predict(x0[gi], h / stride));
        const wFull = Float32Array.from(base);
        x.forEach((xg, gi) => scatterGroup(wFull, part.groups[gi], xg));
        const finite = wFull.every(Number.isFinite);
        const lossKO = finite ? lossOf(wFull) : NaN;
        const eq = equivalentSteps(losses.subarray(e), lossKO);
        rows.push({
          optimizer: o.optimizer,
          seed: o.seed,
          fit: fitName,
          end: e,
          h,
          loss_end: losses[e],
          loss_ko: lossKO,
          loss_plain: losses[e + h],
          teq_over_h: eq.teq / h,
          teq_censored: eq.censored,
          error_to_growth: finite ? errorToGrowth(wFull, wAt(e + h), base) : NaN,
          // as the plugin's guard.agreement measures it (double precision, every group); NaN where undefined
          disagreement: finite ? finiteOrNaN(predictionDisagreement(x, half.map((op, gi) => op.predict(x0[gi], h / stride)), x0)) : NaN,
        });
      }
    }
  }
  return rows;
}

const finiteOrNaN = (v: number) => (Number.isFinite(v) ? v : NaN);

/** Trains one plain run to max(end) + max(h) and scores it. `onSteps` reports optimizer steps as they complete. */
export function tradeoffJob(job: TradeoffJob, onSteps: (n: number) => void = () => undefined): TradeoffRow[] {
  const { ends, horizons, window, stride } = job;
  validateTradeoff(ends, horizons, window, stride);
  const steps = Math.max(...ends) + Math.max(...horizons);
  const t = tf.tensor2d(trainingTimes(PAPER_PROBLEM), [PAPER_PROBLEM.points, 1]);
  const model = buildSolverNet(job.seed);
  const vars = solverVariables(model);
  const opt = makeOptimizer(job.optimizer);
  try {
    const n = readWeights(model).length;
    const W = new Float32Array((steps / stride + 1) * n);
    const losses = new Float64Array(steps + 1);
    W.set(readWeights(model), 0);
    for (let s = 1; s <= steps; s++) {
      setLearningRate(opt, learningRate(s - 1));
      const l = opt.minimize(() => physicsLoss(model, t), true, vars)!;
      losses[s - 1] = l.dataSync()[0];
      l.dispose();
      if (s % stride === 0) W.set(readWeights(model), (s / stride) * n);
      if (s % 1000 === 0) onSteps(1000);
    }
    onSteps(steps % 1000);
    losses[steps] = physicsLossValue(model, t);
    const wAt = (s: number) => W.subarray((s / stride) * n, (s / stride + 1) * n);
    return scoreWindows({ stride, wAt, losses }, job, model, (w) => {
      writeWeights(model, w);
      return physicsLossValue(model, t);
    });
  } finally {
    t.dispose();
    opt.dispose();
    model.dispose();
  }
}

/** What a horizon rule picks at one window end, from the rows of that window (null: no jump). */
export type HorizonRule = (rows: TradeoffRow[]) => TradeoffRow | null;

/** The plugin's guard: the candidate with the lowest finite loss, if below the loss at the window end. */
export const guardRule: HorizonRule = (rows) => {
  let best: TradeoffRow | null = null;
  for (const r of rows) if (Number.isFinite(r.loss_ko) && r.loss_ko < r.loss_end && (!best || r.loss_ko < best.loss_ko)) best = r;
  return best;
};

/**
 * The plugin's guard with guard.agreement τ: among the candidates whose two fits disagree by at
 * most τ of the jump, the lowest finite loss below the loss at the window end.
 */
export const agreementRule =
  (tau: number): HorizonRule =>
  (rows) =>
    guardRule(rows.filter((r) => r.disagreement <= tau));

/** A fixed horizon h, taken when it lowers the loss. */
export const fixedRule =
  (h: number): HorizonRule =>
  (rows) =>
    rows.find((r) => r.h === h && Number.isFinite(r.loss_ko) && r.loss_ko < r.loss_end) ?? null;

/** One line of the trade-off summary: a rule at one window end, medians over runs (no jump counts as T_eq/h 0). */
export interface TradeoffSummary {
  optimizer: string;
  fit: string;
  end: number;
  rule: string;
  runs: number;
  jumped: number;
  median_h: number;
  median_teq_over_h: number;
  share_teq_over_h_ge_1: number;
  median_error_to_growth: number;
  median_steps_saved: number;
}

export function summarise(rows: TradeoffRow[], rules: Record<string, HorizonRule>): TradeoffSummary[] {
  const out: TradeoffSummary[] = [];
  const opts = [...new Set(rows.map((r) => r.optimizer))];
  for (const optimizer of opts) {
    for (const fit of [...new Set(rows.map((r) => r.fit))]) {
      const mine = rows.filter((r) => r.optimizer === optimizer && r.fit === fit);
      const ends = [...new Set(mine.map((r) => r.end))].sort((a, b) => a - b);
      for (const end of ends) {
        const atEnd = mine.filter((r) => r.end === end);
        const seeds = [...new Set(atEnd.map((r) => r.seed))];
        for (const [name, rule] of Object.entries(rules)) {
          const picks = seeds.map((s) => rule(atEnd.filter((r) => r.seed === s)));
          const jumped = picks.filter((p): p is TradeoffRow => p !== null);
          const teq = picks.map((p) => (p ? p.teq_over_h : 0));
          out.push({
            optimizer,
            fit,
            end,
            rule: name,
            runs: seeds.length,
            jumped: jumped.length,
            median_h: median(picks.map((p) => (p ? p.h : 0))),
            median_teq_over_h: median(teq),
            share_teq_over_h_ge_1: teq.filter((v) => v >= 1).length / seeds.length,
            median_error_to_growth: median(jumped.map((p) => p.error_to_growth)),
            median_steps_saved: median(picks.map((p) => (p ? p.teq_over_h * p.h : 0))),
          });
        }
      }
    }
  }
  return out;
}

export const TRADEOFF_COLUMNS: (keyof TradeoffRow)[] = ['optimizer', 'seed', 'fit', 'end', 'h', 'loss_end', 'loss_ko', 'loss_plain', 'teq_over_h', 'teq_censored', 'error_to_growth', 'disagreement'];

function readRows(out: string): TradeoffRow[] {
  const dir = join(out, 'jobs');
  if (!existsSync(dir)) throw new Error(`${dir} does not exist: run the trade-off first`);
  const rows: TradeoffRow[] = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.csv')).sort()) {
    for (const r of readCsv(join(dir, f))) {
      rows.push({
        optimizer: r.optimizer as OptimizerName,
        seed: cellNumber(r.seed),
        fit: r.fit,
        end: cellNumber(r.end),
        h: cellNumber(r.h),
        loss_end: cellNumber(r.loss_end),
        loss_ko: cellNumber(r.loss_ko),
        loss_plain: cellNumber(r.loss_plain),
        teq_over_h: cellNumber(r.teq_over_h),
        teq_censored: cellNumber(r.teq_censored) === 1,
        error_to_growth: cellNumber(r.error_to_growth),
        disagreement: cellNumber(r.disagreement),
      });
    }
  }
  return rows;
}

/** The rules compared in the report: the guard, the guard with agreement τ, and each fixed horizon. */
export const AGREEMENT_LEVELS = [0.002, 0.005, 0.02];
export function reportRules(horizons: number[]): Record<string, HorizonRule> {
  const rules: Record<string, HorizonRule> = { guard: guardRule };
  for (const tau of AGREEMENT_LEVELS) rules[`agree ${tau}`] = agreementRule(tau);
  for (const h of horizons) rules[`h = ${h}`] = fixedRule(h);
  return rules;
}

/** Rewrites `<out>/summary.csv` and `summary.md` from `<out>/jobs/*.csv`. */
export function writeTradeoffReport(out: string, command: string, window: number = TRADEOFF_DEFAULTS.window, stride: number = TRADEOFF_DEFAULTS.stride): TradeoffSummary[] {
  const rows = readRows(out);
  const horizons = [...new Set(rows.map((r) => r.h))].sort((a, b) => a - b);
  const summary = summarise(rows, reportRules(horizons));
  writeCsv(join(out, 'summary.csv'), summary as unknown as Record<string, unknown>[]);
  const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const seeds = (o: string) => new Set(rows.filter((r) => r.optimizer === o).map((r) => r.seed)).size;
  const lines = [
    '# DE solver: accuracy against reach of the first Koopman jump',
    '',
    `Generated by \`${command}\` from \`jobs/*.csv\` (one plain run per optimizer and seed, scored after it ran); summary.csv has every rule.`,
    '',
    `Every window is a \`best\` one: ${window} steps recorded every ${stride}th, node operators (quasi-node q = 2 on the first layer), full rank, constant observable; \`stabilised\` (the \`reach\` preset's fit) moves eigenvalues outside the unit circle onto it, \`unstabilised\` (the \`agree\` preset's) does not. Each candidate h is scored against the plain run. **T_eq/h** and **error-to-growth** as in the main summary; **disagreement**: median |w_full − w_half| ÷ median |w_full − w(end)| of the predictions from the whole window and from its newer half — data the plugin has at the jump, no plain run needed.`,
    '',
    `Rules: **guard** — lowest loss of all candidates (the plugin's guard, the \`reach\` preset); **agree τ** — lowest loss among the candidates with disagreement ≤ τ (guard.agreement, the \`agree\` preset uses 0.002). A run where a rule makes no jump counts as T_eq/h = 0; error-to-growth is over the runs that jumped; "steps saved" is the median T_eq of the jump.`,
    '',
  ];
  // How well the two-fit disagreement estimates the actual error (horizons up to the window length).
  const quantile = (v: number[], p: number) => {
    const x = [...v].sort((a, b) => a - b);
    return x.length ? x[Math.round(p * (x.length - 1))] : NaN;
  };
  lines.push(`Disagreement ÷ error-to-growth, every window end and h ≤ ${window} with both finite and positive:`, '', '| optimizer | fit | pairs | 10th percentile | median | 90th percentile |', '|---|---|---|---|---|---|');
  for (const optimizer of [...new Set(rows.map((r) => r.optimizer))]) {
    for (const fit of [...new Set(rows.map((r) => r.fit))]) {
      const ratio = rows
        .filter((r) => r.optimizer === optimizer && r.fit === fit && r.h <= window && Number.isFinite(r.error_to_growth) && r.error_to_growth > 0 && Number.isFinite(r.disagreement) && r.disagreement > 0)
        .map((r) => r.disagreement / r.error_to_growth);
      if (ratio.length) lines.push(`| ${optimizer} | ${fit} | ${ratio.length} | ${f(quantile(ratio, 0.1), 2)} | ${f(median(ratio), 2)} | ${f(quantile(ratio, 0.9), 2)} |`);
    }
  }
  lines.push('');
  for (const optimizer of [...new Set(summary.map((s) => s.optimizer))]) {
    lines.push(`## ${optimizer} (${seeds(optimizer)} seeds)`, '', '| fit | window end | rule | jumped | median h | median T_eq/h | runs with T_eq/h ≥ 1 | median error-to-growth | median steps saved |', '|---|---|---|---|---|---|---|---|---|');
    for (const s of summary.filter((x) => x.optimizer === optimizer && !x.rule.startsWith('h = '))) {
      lines.push(`| ${s.fit} | ${s.end} | ${s.rule} | ${s.jumped}/${s.runs} | ${s.median_h} | ${f(s.median_teq_over_h)} | ${Math.round(100 * s.share_teq_over_h_ge_1)}% | ${f(s.median_error_to_growth, 4)} | ${Math.round(s.median_steps_saved)} |`);
    }
    lines.push('');
    for (const fit of [...new Set(rows.map((r) => r.fit))]) {
      lines.push(`Fixed horizons, ${fit} fit: median T_eq/h · median error-to-growth · median disagreement`, '', `| window end | ${horizons.map((h) => `h = ${h}`).join(' | ')} |`, `|---|${horizons.map(() => '---').join('|')}|`);
      const mine = rows.filter((r) => r.optimizer === optimizer && r.fit === fit);
      for (const end of [...new Set(mine.map((r) => r.end))].sort((a, b) => a - b)) {
        const cells = horizons.map((h) => {
          const rs = mine.filter((r) => r.end === end && r.h === h);
          if (!rs.length) return '';
          return `${f(median(rs.map((r) => r.teq_over_h)))} · ${f(median(rs.map((r) => r.error_to_growth)), 4)} · ${f(median(rs.map((r) => r.disagreement)), 4)}`;
        });
        lines.push(`| ${end} | ${cells.join(' | ')} |`);
      }
      lines.push('');
    }
  }
  writeFileSync(join(out, 'summary.md'), lines.join('\n'));
  return summary;
}

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
    const rows = tradeoffJob(job, (n) => bar.tick(n));
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
