import type * as tf from '@tensorflow/tfjs';
import { minSnapshots, resolveFitOptions, type FitOptions, type ResolvedFitOptions } from '../../src/koopman/options.js';
import type { PartitionSpec } from '../../src/partition/types.js';
import type { RecordDtype } from '../../src/trajectory/recorder.js';
import type { JumpRecord } from './report.js';

export type StepUnit = 'step' | 'epoch';

export interface WindowSpec {
  /** t1: first snapshot of the window (after `start` optimizer steps, or epochs with unit 'epoch'). */
  start: number;
  /** t2: last snapshot and the moment of the jump. */
  end: number;
  /** Unit of start, end and horizon. @default 'step' */
  unit?: StepUnit;
}

export interface GuardSpec {
  /** Validation inputs and targets; the guard loss is `model.evaluate(x, y)`'s loss. */
  validationData?: [tf.Tensor | tf.Tensor[], tf.Tensor | tf.Tensor[]];
  /** Or any loss of the model's current weights (a custom loop's physics loss, say). */
  lossFn?: (model: tf.LayersModel) => number | Promise<number>;
  /** Horizons tried, in steps. @default powers of two below the horizon, plus the horizon */
  candidates?: number[];
  /** Batch size of model.evaluate. @default 1000 */
  batchSize?: number;
  /** Accept only if the loss falls below lossBefore·(1 − minImprovement). @default 0 */
  minImprovement?: number;
  /**
   * Agreement check: operators are also fitted on the newer half of the window, and a candidate
   * horizon is tried only if the two predictions differ by at most this share of the jump
   * (median |w − w_half| ÷ median |w − w(t2)| over the recorded weights). An estimate of the
   * extrapolation error from data the plugin already holds; the guard loss then picks among the
   * horizons that pass. Costs a second fit. @default none (every candidate is tried)
   */
  agreement?: number;
}

export interface KoopmanTrainingArgs extends FitOptions {
  /** How weights are grouped into operators. @default { default: 'node', unknown: 'skip' } */
  partition?: PartitionSpec;
  /** The fitting window [t1, t2]. Required. */
  window: WindowSpec;
  /** T: how far ahead the weights jump (in the window's unit). Required. */
  horizon: number;
  /** Evaluate candidate horizons and keep the best, or none. @default none (jump T unchecked, as the paper does) */
  guard?: GuardSpec;
  /** After a jump, record a new window and jump again every this many optimizer steps (window's unit). @default none */
  every?: number;
  /** Most jumps. @default 1, or unlimited with `every` */
  maxJumps?: number;
  /** Record every k-th step; the operators are then k-step maps. @default 1 */
  recordEvery?: number;
  /** Storage precision of the recorded window. @default 'float32' */
  dtype?: RecordDtype;
  /** Optimizer accumulators after a jump: kept, or reset to zero. @default 'keep' */
  optimizerState?: 'keep' | 'reset';
  /** Steps per epoch, needed for unit 'epoch' in a custom loop (fit() supplies it). @default from fit() */
  stepsPerEpoch?: number;
  /** 1: print one line per jump and the memory held. @default 0 */
  verbose?: 0 | 1;
  /** Called after every jump decision with its record. */
  onJump?: (jump: JumpRecord) => void | Promise<void>;
}

/** Engine options the plugin uses unless told otherwise (robust defaults for weight trajectories). */
export const PLUGIN_FIT_DEFAULTS: Required<FitOptions> = Object.freeze({
  rank: 0,
  ridge: 0,
  affine: true,
  stabilize: true,
  scale: false,
  tol: 1e-7,
});

export const PLUGIN_DEFAULTS = Object.freeze({
  partition: { default: 'node', unknown: 'skip' } as PartitionSpec,
  recordEvery: 1,
  dtype: 'float32' as RecordDtype,
  optimizerState: 'keep' as const,
  verbose: 0 as const,
  guardBatchSize: 1000,
  minImprovement: 0,
});

/** Default candidate horizons: 1, 2, 4, … below T, and T. */
export function defaultCandidates(horizon: number): number[] {
  const out: number[] = [];
  for (let h = 1; h < horizon; h *= 2) out.push(h);
  out.push(horizon);
  return out;
}

function positiveInt(v: unknown, name: string, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < (allowZero ? 0 : 1)) {
    throw new Error(`${name} must be an integer ${allowZero ? '≥ 0' : '≥ 1'}; got ${String(v)}`);
  }
  return v;
}

/** Checks everything that can be checked before a model is known; throws errors naming the option. */
export function validateArgs(args: KoopmanTrainingArgs): void {
  if (!args || typeof args !== 'object') throw new Error('koopmanTraining needs an options object with window and horizon');
  const w = args.window;
  if (!w || typeof w !== 'object') throw new Error('window is required: { start: t1, end: t2, unit?: "step" | "epoch" }');
  if (w.unit !== undefined && w.unit !== 'step' && w.unit !== 'epoch') {
    throw new Error(`window.unit must be 'step' or 'epoch'; got ${String(w.unit)}`);
  }
  positiveInt(w.start, 'window.start', true);
  positiveInt(w.end, 'window.end');
  if (w.end <= w.start) throw new Error(`window.end (${w.end}) must be greater than window.start (${w.start})`);
  if (typeof args.horizon !== 'number' || !Number.isInteger(args.horizon) || args.horizon <= 0) {
    throw new Error(`horizon must be an integer > 0 (steps to jump ahead); got ${String(args.horizon)}`);
  }
  const fit = resolvePluginFit(args);
  const k = positiveInt(args.recordEvery ?? PLUGIN_DEFAULTS.recordEvery, 'recordEvery');
  if (args.every !== undefined) positiveInt(args.every, 'every');
  if (args.maxJumps !== undefined) positiveInt(args.maxJumps, 'maxJumps');
  if (args.stepsPerEpoch !== undefined) positiveInt(args.stepsPerEpoch, 'stepsPerEpoch');
  if (args.optimizerState !== undefined && args.optimizerState !== 'keep' && args.optimizerState !== 'reset') {
    throw new Error(`optimizerState must be 'keep' or 'reset'; got ${String(args.optimizerState)}`);
  }
  if (args.dtype !== undefined && args.dtype !== 'float32' && args.dtype !== 'float64') {
    throw new Error(`dtype must be 'float32' or 'float64'; got ${String(args.dtype)}`);
  }
  if (args.verbose !== undefined && args.verbose !== 0 && args.verbose !== 1) {
    throw new Error(`verbose must be 0 or 1; got ${String(args.verbose)}`);
  }
  if (args.onJump !== undefined && typeof args.onJump !== 'function') throw new Error('onJump must be a function');
  const g = args.guard;
  if (g !== undefined) {
    if (!g || (!g.validationData && !g.lossFn)) {
      throw new Error('guard needs validationData: [x, y] or a lossFn(model) => loss; omit guard to jump unchecked');
    }
    if (g.validationData && (!Array.isArray(g.validationData) || g.validationData.length !== 2)) {
      throw new Error('guard.validationData must be [x, y]');
    }
    if (g.lossFn !== undefined && typeof g.lossFn !== 'function') throw new Error('guard.lossFn must be a function');
    if (g.candidates !== undefined) {
      if (!Array.isArray(g.candidates) || g.candidates.length === 0) throw new Error('guard.candidates must be a non-empty array of horizons');
      for (const c of g.candidates) positiveInt(c, 'guard.candidates[]');
    }
    if (g.batchSize !== undefined) positiveInt(g.batchSize, 'guard.batchSize');
    if (g.minImprovement !== undefined && !(g.minImprovement >= 0 && g.minImprovement < 1)) {
      throw new Error(`guard.minImprovement must be in [0, 1); got ${String(g.minImprovement)}`);
    }
    if (g.agreement !== undefined && !(typeof g.agreement === 'number' && g.agreement > 0 && Number.isFinite(g.agreement))) {
      throw new Error(`guard.agreement must be a number > 0 (largest disagreement of the two fits, as a share of the jump); got ${String(g.agreement)}`);
    }
  }
  // The window must hold enough snapshots for the rank rule (dimension-free part; the rest is
  // checked when the model is known). Epoch windows are checked once steps per epoch are known.
  if ((w.unit ?? 'step') === 'step') {
    const snaps = Math.floor((w.end - w.start) / k) + 1;
    const need = minSnapshots(1, fit);
    if (fit.rank !== -1 && snaps < need) {
      throw new Error(
        `window [${w.start}, ${w.end}] holds ${snaps} snapshots (recordEvery ${k}); rank ${fit.rank}${fit.affine ? ' with affine' : ''} needs at least ${need}`,
      );
    }
  }
}

/** The engine options of a plugin run: the plugin's defaults, overridden by what the user set. */
export function resolvePluginFit(args: FitOptions): ResolvedFitOptions {
  const picked: FitOptions = {};
  for (const key of ['rank', 'ridge', 'affine', 'stabilize', 'scale', 'tol'] as const) {
    if (args[key] !== undefined) (picked as Record<string, unknown>)[key] = args[key];
  }
  return resolveFitOptions({ ...PLUGIN_FIT_DEFAULTS, ...picked });
}
