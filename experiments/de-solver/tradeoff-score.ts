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
 * This file scores; tradeoff-rules.ts picks horizons, tradeoff-report.ts writes the summary and
 * tradeoff.ts is the command line.
 */
import * as tf from '@tensorflow/tfjs';
import { predictionDisagreement } from '../../src/koopman/agreement.js';
import { minSnapshots, resolveFitOptions, type FitOptions } from '../../src/koopman/options.js';
import { fitWindow } from '../../src/koopman/window.js';
import { equivalentSteps, errorToGrowth } from '../../src/metrics/index.js';
import { partitionWeights } from '../../src/partition/partition.js';
import { describeModel, readWeights, writeWeights } from '../../src/tfjs/index.js';
import { makeOptimizer } from '../shared/optimizers.js';
import { trainSteps } from '../shared/train.js';
import { BEST_AT_PAPER_SCALE, PAPER_SCHEDULE, SOLVER_PARTITION, type Schedule } from '../shared/de-solver/config.js';
import { HIDDEN_UNITS, buildSolverNet, physicsLoss, physicsLossValue, solverVariables } from '../shared/de-solver/network.js';
import { solverOptimizer, type OptimizerName } from '../shared/de-solver/optimizers.js';
import { PAPER_PROBLEM, learningRate, trainingTimes } from '../shared/de-solver/problem.js';

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
 * newer half ({@link fitWindow}, one operator per group of the solver partition), predicts h
 * steps, and evaluates the loss with `lossOf` (which may overwrite the model's weights). Pairs
 * with end + h past the trajectory are skipped. Cost: two window fits per (fit, end) — per group
 * of d weights over m snapshots that of `fitRows` — and O(groups · d²) per prediction.
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
  const { groups } = partitionWeights(describeModel(model), SOLVER_PARTITION);
  const rows: TradeoffRow[] = [];
  for (const [fitName, fitOptions] of Object.entries(o.fits)) {
    const fo = resolveFitOptions(fitOptions);
    const fit = (start: number, end: number) => fitWindow({ weightsAt: wAt, groups, start, end, stride }, fo, true);
    for (const e of o.ends) {
      const reachable = o.horizons.filter((h) => e + h <= last);
      if (reachable.length === 0) continue;
      const full = fit(e - o.window, e);
      const half = fit(e - o.window / 2, e);
      const base = Float32Array.from(wAt(e));
      for (const h of reachable) {
        // each whole-window group prediction once: for the weights and for the agreement measure
        const x = full.predictGroups(h);
        const wFull = full.predictWeights(h, base, x);
        const lossKO = wFull ? lossOf(wFull) : NaN;
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
          error_to_growth: wFull ? errorToGrowth(wFull, wAt(e + h), base) : NaN,
          // as the plugin's guard.agreement measures it (double precision, every group); NaN where undefined
          disagreement: wFull ? finiteOrNaN(predictionDisagreement(x, half.predictGroups(h), full.states)) : NaN,
        });
      }
    }
  }
  return rows;
}

const finiteOrNaN = (v: number) => (Number.isFinite(v) ? v : NaN);

/** Trains one plain run to max(end) + max(h) and scores it. `onSteps` reports optimizer steps as they complete. */
export async function tradeoffJob(job: TradeoffJob, onSteps: (n: number) => void = () => undefined): Promise<TradeoffRow[]> {
  const { ends, horizons, window, stride } = job;
  validateTradeoff(ends, horizons, window, stride);
  const steps = Math.max(...ends) + Math.max(...horizons);
  const t = tf.tensor2d(trainingTimes(PAPER_PROBLEM), [PAPER_PROBLEM.points, 1]);
  const model = buildSolverNet(job.seed);
  const opt = makeOptimizer(solverOptimizer(job.optimizer));
  try {
    const n = readWeights(model).length;
    const W = new Float32Array((steps / stride + 1) * n);
    const losses = new Float64Array(steps + 1);
    W.set(readWeights(model), 0);
    await trainSteps(opt, () => physicsLoss(model, t), solverVariables(model), {
      steps,
      learningRate: (s) => learningRate(s - 1),
      onStep: ({ step: s, loss }) => {
        losses[s - 1] = loss;
        if (s % stride === 0) W.set(readWeights(model), (s / stride) * n);
        if (s % 1000 === 0) onSteps(1000);
      },
    });
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

export const TRADEOFF_COLUMNS: (keyof TradeoffRow)[] = ['optimizer', 'seed', 'fit', 'end', 'h', 'loss_end', 'loss_ko', 'loss_plain', 'teq_over_h', 'teq_censored', 'error_to_growth', 'disagreement'];
