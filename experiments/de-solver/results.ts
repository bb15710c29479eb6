/**
 * What one job of the DE solver produces (rows of runs.csv, plot material) and the small
 * measures the plain and best runs share.
 */
import type { BestSettings, Schedule } from '../shared/de-solver/config.js';
import type { OptimizerName } from '../shared/de-solver/optimizers.js';
import type { TradeoffRow, tradeoffSettings } from './tradeoff-score.js';

/** One unit of work: the plain run of a seed and optimizer, the paper jumps made on it, and the best run. */
export interface RunJob {
  optimizer: OptimizerName;
  seed: number;
  schedule: Schedule;
  best: BestSettings;
  /** Score these first-jump choices on the plain run (tradeoff.ts); none when omitted. */
  tradeoff?: ReturnType<typeof tradeoffSettings>;
}

/** Samples of the reference grid on which networks are compared with RK4. */
export const GRID_POINTS = 401;

/**
 * `paper`: the paper's recipe (every step of [t1, t2], full rank, one unchecked jump of T at t2);
 * `paper-stride`: the same recorded every k-th step ({@link paperStride}); `best`: guarded repeated jumps.
 */
export const RUN_CONFIGS = Object.freeze(['paper', 'paper-stride', 'best'] as const);
export type RunConfig = (typeof RUN_CONFIGS)[number];

/** One row of runs.csv (one optimizer, config and seed). */
export interface RunRow {
  optimizer: OptimizerName;
  config: RunConfig;
  seed: number;
  steps: number;
  t1: number;
  t2: number;
  horizon: number;
  /** Step of the (first accepted) jump, and the steps it jumped. */
  jump_step: number;
  jump_horizon: number;
  loss_t2: number;
  loss_ko: number;
  /** Plain loss at jump_step + jump_horizon. */
  loss_plain_after: number;
  teq: number;
  teq_censored: boolean;
  teq_over_t: number;
  success: boolean;
  opt_ms_teq: number;
  /** Koopman time of the jump: recording, fitting, extrapolation, guard evaluations (ms). */
  ko_ms_record: number;
  ko_ms_fit: number;
  ko_ms_extrapolate: number;
  ko_ms_guard: number;
  /** record + fit + extrapolate + guard (for `best`: of every jump decision up to the first accepted one). */
  ko_ms_honest: number;
  speedup_paper: number;
  speedup_honest: number;
  error_to_growth: number;
  jumps_tried: number;
  jumps_accepted: number;
  steps_skipped: number;
  optimizer_steps: number;
  plain_final_loss: number;
  final_loss: number;
  reached_plain_final: boolean;
  plain_wall_s: number;
  wall_s: number;
  /** CPU time (user + system) of the same spans: insensitive to other processes sharing the cores. */
  plain_cpu_s: number;
  cpu_s: number;
  /** Plain wall time ÷ wall time of `best` to reach the plain final loss (> 1 is faster; 0 if never reached). */
  end_to_end: number;
  /** The same ratio in CPU time, and in optimizer steps (plain steps ÷ best optimizer steps). */
  end_to_end_cpu: number;
  end_to_end_steps: number;
  rk4_max_err: number;
  rk4_max_err_plain: number;
  plain_ms_per_step: number;
  identical_prefix: boolean;
  backend: string;
}

/** Plot material of one job, kept as JSON beside runs.csv so plots cover every session's runs. */
export interface RunDetail {
  optimizer: OptimizerName;
  seed: number;
  schedule: Schedule;
  /** Fig. 2b: plain and Koopman (paper recipe) loss at t2 + h. */
  curve: { h: number[]; plain: number[]; koopman: number[] };
  /** Fig. 2d: the most dynamic weights, plain and Koopman, at t2 + h (h as in curve). */
  weights: { index: number; t2: number; plain: number[]; koopman: number[] }[];
  /** Fig. 2e: per weight |w_KO − w(t2+T)| and |w(t2+T) − w(t2)| (paper recipe). */
  errors: { error: number[]; growth: number[] };
  /** Loss over the plain run and over the best run (against effective steps), thinned. */
  training: { plainStep: number[]; plainLoss: number[]; bestStep: number[]; bestLoss: number[]; jumps: { step: number; effective: number; horizon: number; accepted: boolean }[] };
  /** x̂, p̂ on the reference grid: plain at the end, paper-Koopman at t2 + T, best at its end. */
  solution: { t: number[]; plain: { x: number[]; p: number[] }; paper: { x: number[]; p: number[] }; best: { x: number[]; p: number[] } };
}

export interface RunResult {
  rows: RunRow[];
  detail: RunDetail;
  /** Accuracy against reach of Koopman jumps on the plain run (empty without job.tradeoff). */
  tradeoff: TradeoffRow[];
  /** Why the trade-off could not be scored, if it could not. */
  tradeoffError?: string;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Largest stride dividing every step at which the plain weights are needed. */
export function weightStride(s: Schedule, best: BestSettings, tradeoff?: RunJob['tradeoff']): number {
  const extra = tradeoff ? [tradeoff.stride, tradeoff.window / 2, ...tradeoff.ends, ...tradeoff.horizons] : [];
  return [s.t2, s.horizon, best.start, best.window, best.every, best.recordEvery, ...best.candidates, ...extra].reduce((a, b) => gcd(a, b), 0) || 1;
}

/** max |x̂ − x_ref|, |p̂ − p_ref| over the grid. O(grid). */
export function maxAbsError(sol: { x: ArrayLike<number>; p: ArrayLike<number> }, ref: { x: ArrayLike<number>; p: ArrayLike<number> }): number {
  let e = 0;
  for (let i = 0; i < ref.x.length; i++) e = Math.max(e, Math.abs(sol.x[i] - ref.x[i]), Math.abs(sol.p[i] - ref.p[i]));
  return e;
}

/** Indices 0, k, 2k, … and n − 1: about `points` of n. */
export function thin(n: number, points: number): number[] {
  const stride = Math.max(1, Math.floor(n / points));
  const out: number[] = [];
  for (let i = 0; i < n; i += stride) out.push(i);
  if (out[out.length - 1] !== n - 1) out.push(n - 1);
  return out;
}

/** Seven significant digits (plot material). */
export const round = (v: number): number => Number(v.toPrecision(7));
