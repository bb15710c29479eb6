import type * as tf from '@tensorflow/tfjs';
import type { RankRule } from '../../src/linalg/rank.js';
import { minSnapshots, resolveFitOptions, type ResolvedFitOptions } from '../../src/koopman/options.js';
import { DEFAULT_PARTITION } from '../../src/partition/partition.js';
import { PARTITION_KINDS, type PartitionSpec } from '../../src/partition/types.js';
import type { RecordDtype } from '../../src/trajectory/recorder.js';
import { checkGuardDataForm } from './checks.js';
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
  /** Horizons tried, in steps. @default recordEvery × powers of two below the horizon, plus the horizon */
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

/** Options of {@link koopmanTraining}. Every default lives in {@link KOOPMAN_TRAINING_DEFAULTS}. */
export interface KoopmanTrainingArgs {
  /**
   * How weights are grouped into operators. Layers the partition does not know (neither Dense nor
   * Conv2D) are skipped, so a jump never touches weights it cannot model.
   * @default { default: 'node', layers: {}, unknown: 'skip' }
   */
  partition?: PartitionSpec;
  /**
   * The fitting window [t1, t2]. Give it with `horizon`, or omit both (with a guard) for the auto
   * schedule. @default auto
   */
  window?: WindowSpec;
  /** T: how far ahead the weights jump (in the window's unit). Given with `window`. @default auto */
  horizon?: number;
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
  /**
   * The optimizer whose accumulators `optimizerState: 'reset'` acts on: a custom loop's own one
   * (fit() steps `model.optimizer`, the default). @default model.optimizer
   */
  optimizer?: tf.Optimizer;
  /** Steps per epoch, needed for unit 'epoch' in a custom loop (fit() supplies it). @default from fit() */
  stepsPerEpoch?: number;
  /** 1: print one line per jump and the memory held. @default 0 */
  verbose?: 0 | 1;
  /** Called after every jump decision with its record. @default none */
  onJump?: (jump: JumpRecord) => void | Promise<void>;
  /** Rank rule of every fit: 0 optimal hard threshold, 0 < r < 1 energy, integer ≥ 1 that rank, −1 full. @default 0 */
  rank?: RankRule;
  /** Relative Tikhonov regularisation of the fits (σ⁻¹ → σ/(σ² + (ridge·σ₁)²)). @default 0 */
  ridge?: number;
  /** Fit w(t+1) = A w(t) + c (a constant observable), so a steady drift is represented exactly. @default true */
  affine?: boolean;
  /** Pull eigenvalues with |λ| > 1 back onto the unit circle, so long jumps cannot blow up. @default true */
  stabilize?: boolean;
  /** Scale every snapshot to unit norm before the fit (LAPACK xGEDMD JOBS='S'). @default false */
  scale?: boolean;
  /** Relative singular-value floor of the fits: σᵢ ≤ tol·σ₁ is dropped. @default 1e-7 */
  tol?: number;
  /**
   * Largest share of the training time the plugin may spend (recording, fitting, extrapolating and
   * guard evaluations), on top of the optimizer time its accepted jumps saved: a window whose
   * expected cost would overspend is neither recorded nor decided (counted in `report.budgetSkips`). @default 0.02 with the auto schedule, none otherwise
   */
  budget?: number;
  /**
   * Drop a group's operator when its first step would move some weight more than this many times
   * the largest step any of its weights took between snapshots of the window (the group keeps its
   * t2 weights; the jump record lists it). @default 10 with the auto schedule, none otherwise
   */
  maxStepRatio?: number;
  /**
   * Worker threads that share each decision's fits with the training thread (Node only; the
   * operators are bit-identical to a one-thread fit). They start with training and end with it
   * (onTrainEnd, or `reset()` after a custom loop). Pays when a decision fits many groups and a
   * core is free: one thread took a 64-node decision's fits to 0.67× the wall time here (`npm run bench`). @default 0
   */
  threads?: number;
}

/** Every default of {@link KoopmanTrainingArgs}, in one place (the README table is checked against it). */
export const KOOPMAN_TRAINING_DEFAULTS = Object.freeze({
  partition: Object.freeze({ ...DEFAULT_PARTITION, unknown: 'skip' }) as Required<PartitionSpec>,
  guard: null,
  every: null,
  /** 1 without `every`, unlimited with it. */
  maxJumps: null,
  recordEvery: 1,
  dtype: 'float32' as RecordDtype,
  optimizerState: 'keep' as 'keep' | 'reset',
  optimizer: null,
  stepsPerEpoch: null,
  verbose: 0 as 0 | 1,
  onJump: null,
  rank: 0 as RankRule,
  ridge: 0,
  affine: true,
  stabilize: true,
  scale: false,
  tol: 1e-7,
  /** 0.02 with the auto schedule, none with an explicit one. */
  budget: null,
  /** 10 with the auto schedule, none with an explicit one. */
  maxStepRatio: null,
  threads: 0,
});

/**
 * How the auto schedule (no window, no horizon, a guard) plans, in one place. Decisions once per
 * epoch (`period`, at least `snapshots` steps) from the end of the `firstDecision`-th; a window of
 * `snapshots` + 1 snapshots, recordEvery = ⌊period / snapshots⌋; candidate horizons recordEvery·2^j
 * up to `maxHorizon` periods, tried shortest first and stopped after `bracket` worse ones in a row;
 * the plugin's partition (a node operator per Dense/Conv2D unit); the cost kept within `budget`; operators whose first step moves a weight more than
 * `maxStepRatio` × the window's largest step dropped.
 */
export const AUTO_SCHEDULE = Object.freeze({
  snapshots: 32,
  firstDecision: 2,
  maxHorizon: 8,
  bracket: 2,
  budget: 0.02,
  maxStepRatio: 10,
  /** Decision period when the steps per epoch are unknown (a custom loop that gave none). */
  periodWithoutEpochs: 100,
});

/** Every default of {@link GuardSpec} (candidates: powers of two below the horizon, plus the horizon). */
export const GUARD_DEFAULTS = Object.freeze({
  candidates: null,
  batchSize: 1000,
  minImprovement: 0,
  agreement: null,
});

const TOP_KEYS = ['window', 'horizon', ...Object.keys(KOOPMAN_TRAINING_DEFAULTS)];
const WINDOW_KEYS = ['start', 'end', 'unit'];
const GUARD_KEYS = ['validationData', 'lossFn', ...Object.keys(GUARD_DEFAULTS)];
const FIT_KEYS = ['rank', 'ridge', 'affine', 'stabilize', 'scale', 'tol'] as const;

/** The guard with its defaults filled. */
export interface ResolvedGuard {
  validationData: GuardSpec['validationData'] | null;
  lossFn: GuardSpec['lossFn'] | null;
  candidates: number[] | null;
  batchSize: number;
  minImprovement: number;
  agreement: number | null;
}

/** The options a plugin runs with: every default filled, everything checked. */
export interface ResolvedKoopmanTrainingArgs {
  partition: PartitionSpec;
  /** The auto schedule is on (window, horizon and every are then planned once the model is known). */
  auto: { partitionGiven: boolean } | null;
  /** The explicit window (unit 'epoch' with start 2 stands in for the auto schedule's epochs). */
  window: Required<WindowSpec>;
  /** The explicit horizon (0 with the auto schedule). */
  horizon: number;
  /** Share of the training time the plugin may spend (null: no limit). */
  budget: number | null;
  /** Operators whose first step moves a weight more than this × the window's largest step are dropped (null: none). */
  maxStepRatio: number | null;
  /** Worker threads sharing each decision's fits (0: the training thread alone). */
  threads: number;
  guard: ResolvedGuard | null;
  every: number | null;
  maxJumps: number | null;
  recordEvery: number;
  dtype: RecordDtype;
  optimizerState: 'keep' | 'reset';
  optimizer: tf.Optimizer | null;
  stepsPerEpoch: number | null;
  verbose: 0 | 1;
  onJump: KoopmanTrainingArgs['onJump'] | null;
  /** The engine options of every fit (the plugin's defaults, overridden by the user's). */
  fit: ResolvedFitOptions;
}

/** Default candidate horizons: k, 2k, 4k, … below T, and T (k = recordEvery, the operators' step). */
export function defaultCandidates(horizon: number, recordEvery = 1): number[] {
  const out: number[] = [];
  for (let h = recordEvery; h < horizon; h *= 2) out.push(h);
  out.push(horizon);
  return out;
}

const PARTITION_KEYS = ['default', 'layers', 'unknown'];

/** The partition's keys and kinds (layer names can only be checked once the model is known). */
function checkPartition(p: PartitionSpec): void {
  rejectUnknown(p, PARTITION_KEYS, 'partition');
  const kind = (where: string, v: unknown) => {
    const k = typeof v === 'string' ? v : (v as { kind?: unknown } | null)?.kind;
    if (k !== 'skip' && !(PARTITION_KINDS as readonly unknown[]).includes(k)) {
      throw new Error(`${where}: unknown partition kind '${String(k)}'; accepted: ${PARTITION_KINDS.join(', ')}, skip`);
    }
    if (k === 'quasi-node') {
      const q = (v as { q?: unknown }).q;
      if (typeof q !== 'number' || !Number.isInteger(q) || q < 1) throw new Error(`${where}: quasi-node needs an integer q ≥ 1 (chunk length); got ${String(q)}`);
    }
  };
  if (p.default !== undefined) kind('partition.default', p.default);
  if (p.layers !== undefined) {
    if (p.layers === null || typeof p.layers !== 'object') throw new Error('partition.layers must be an object { layerName: kind }');
    for (const [name, v] of Object.entries(p.layers)) kind(`partition.layers.${name}`, v);
  }
  if (p.unknown !== undefined && p.unknown !== 'tensor' && p.unknown !== 'skip') {
    throw new Error(`partition.unknown must be 'tensor' or 'skip'; got ${String(p.unknown)}`);
  }
}

function positiveInt(v: unknown, name: string, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < (allowZero ? 0 : 1)) {
    throw new Error(`${name} must be an integer ${allowZero ? '≥ 0' : '≥ 1'}; got ${describe(v)}`);
  }
  return v;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? `'${v}' (a string)` : String(v);
}

function rejectUnknown(o: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) throw new Error(`${where}: unknown option '${key}'; accepted: ${known.join(', ')}`);
  }
}

/**
 * Fills every default and checks everything that can be checked before a model is known, throwing
 * errors that name the option and the accepted values. Unknown keys are errors (a misspelt
 * `horizn` would otherwise be silently ignored).
 */
export function resolveKoopmanTrainingArgs(args: KoopmanTrainingArgs): ResolvedKoopmanTrainingArgs {
  if (!args || typeof args !== 'object' || Array.isArray(args)) {
    throw new Error('koopmanTraining needs an options object: { guard: { validationData } } for the auto schedule, or window and horizon');
  }
  rejectUnknown(args, TOP_KEYS, 'koopmanTraining');
  const d = KOOPMAN_TRAINING_DEFAULTS;
  const auto = args.window === undefined && args.horizon === undefined;
  if (auto) {
    if (args.guard === undefined) {
      throw new Error(
        'koopmanTraining: give guard: { validationData: [x, y] } (or a lossFn) for the auto schedule, or a window and horizon for an explicit one (an unguarded jump needs both)',
      );
    }
    if (args.every !== undefined) throw new Error('every belongs to an explicit schedule (with window and horizon); the auto schedule decides once per epoch');
  } else if (args.window === undefined || args.horizon === undefined) {
    throw new Error(`window and horizon go together: ${args.window === undefined ? 'horizon was given without window' : 'window was given without horizon'}; give both, or neither (with a guard) for the auto schedule`);
  }
  const w: WindowSpec = args.window ?? { start: AUTO_SCHEDULE.firstDecision - 1, end: AUTO_SCHEDULE.firstDecision, unit: 'epoch' };
  if (!w || typeof w !== 'object') throw new Error('window must be an object: { start: t1, end: t2, unit?: "step" | "epoch" }');
  rejectUnknown(w, WINDOW_KEYS, 'window');
  if (w.unit !== undefined && w.unit !== 'step' && w.unit !== 'epoch') {
    throw new Error(`window.unit must be 'step' or 'epoch'; got ${String(w.unit)}`);
  }
  positiveInt(w.start, 'window.start', true);
  positiveInt(w.end, 'window.end');
  if (w.end <= w.start) throw new Error(`window.end (${w.end}) must be greater than window.start (${w.start})`);
  if (!auto && (typeof args.horizon !== 'number' || !Number.isInteger(args.horizon) || args.horizon <= 0)) {
    throw new Error(`horizon must be an integer > 0 (steps to jump ahead); got ${describe(args.horizon)}`);
  }
  if (args.maxStepRatio !== undefined && !(typeof args.maxStepRatio === 'number' && args.maxStepRatio > 0 && Number.isFinite(args.maxStepRatio))) {
    throw new Error(`maxStepRatio must be a number > 0 (largest first-step move, in units of the window's largest step); got ${describe(args.maxStepRatio)}`);
  }
  if (args.budget !== undefined && !(typeof args.budget === 'number' && args.budget > 0 && Number.isFinite(args.budget))) {
    throw new Error(`budget must be a number > 0 (share of the training time the plugin may spend, e.g. 0.02); got ${describe(args.budget)}`);
  }
  if (args.threads !== undefined && !(Number.isInteger(args.threads) && args.threads >= 0)) {
    throw new Error(`threads must be an integer ≥ 0 (worker threads for the fits; 0 fits on the training thread); got ${describe(args.threads)}`);
  }
  const picked: Record<string, unknown> = {};
  for (const key of FIT_KEYS) picked[key] = args[key] ?? d[key];
  const fit = resolveFitOptions(picked);
  const k = positiveInt(args.recordEvery ?? d.recordEvery, 'recordEvery');
  if (args.every !== undefined) positiveInt(args.every, 'every');
  if (args.maxJumps !== undefined) positiveInt(args.maxJumps, 'maxJumps');
  if (args.stepsPerEpoch !== undefined) positiveInt(args.stepsPerEpoch, 'stepsPerEpoch');
  if (args.optimizerState !== undefined && args.optimizerState !== 'keep' && args.optimizerState !== 'reset') {
    throw new Error(`optimizerState must be 'keep' or 'reset'; got ${String(args.optimizerState)}`);
  }
  if (args.optimizer !== undefined && typeof (args.optimizer as { getWeights?: unknown } | null)?.getWeights !== 'function') {
    throw new Error(`optimizer must be a tf.Optimizer (e.g. tf.train.adam(0.01)), the one the custom loop steps; got ${describe(args.optimizer)}`);
  }
  if (args.dtype !== undefined && args.dtype !== 'float32' && args.dtype !== 'float64') {
    throw new Error(`dtype must be 'float32' or 'float64'; got ${String(args.dtype)}`);
  }
  if (args.verbose !== undefined && args.verbose !== 0 && args.verbose !== 1) {
    throw new Error(`verbose must be 0 or 1; got ${String(args.verbose)}`);
  }
  if (args.onJump !== undefined && typeof args.onJump !== 'function') throw new Error('onJump must be a function');
  if (args.partition !== undefined && (args.partition === null || typeof args.partition !== 'object')) {
    throw new Error(`partition must be an object { default, layers, unknown }; got ${String(args.partition)}`);
  }
  if (args.partition !== undefined) checkPartition(args.partition);
  const guard = args.guard === undefined ? null : resolveGuard(args.guard);
  // The window must hold enough snapshots for the rank rule (dimension-free part; the rest is
  // checked when the model is known). Epoch windows are checked once steps per epoch are known.
  const unit = w.unit ?? 'step';
  if (unit === 'step' && !auto) {
    const snaps = Math.floor((w.end - w.start) / k) + 1;
    const need = minSnapshots(1, fit);
    if (fit.rank !== -1 && snaps < need) {
      throw new Error(
        `window [${w.start}, ${w.end}] holds ${snaps} snapshots (recordEvery ${k}); rank ${fit.rank}${fit.affine ? ' with affine' : ''} needs at least ${need}`,
      );
    }
  }
  return {
    partition: { ...d.partition, ...(args.partition ?? {}) },
    auto: auto ? { partitionGiven: args.partition !== undefined } : null,
    window: { start: w.start, end: w.end, unit },
    horizon: args.horizon ?? 0,
    budget: args.budget ?? (auto ? AUTO_SCHEDULE.budget : d.budget),
    maxStepRatio: args.maxStepRatio ?? (auto ? AUTO_SCHEDULE.maxStepRatio : d.maxStepRatio),
    threads: args.threads ?? d.threads,
    guard,
    every: args.every ?? d.every,
    maxJumps: args.maxJumps ?? d.maxJumps,
    recordEvery: k,
    dtype: args.dtype ?? d.dtype,
    optimizerState: args.optimizerState ?? d.optimizerState,
    optimizer: args.optimizer ?? d.optimizer,
    stepsPerEpoch: args.stepsPerEpoch ?? d.stepsPerEpoch,
    verbose: args.verbose ?? d.verbose,
    onJump: args.onJump ?? d.onJump,
    fit,
  };
}

function resolveGuard(g: GuardSpec): ResolvedGuard {
  if (!g || typeof g !== 'object' || (!g.validationData && !g.lossFn)) {
    throw new Error('guard needs validationData: [x, y] or a lossFn(model) => loss; omit guard to jump unchecked');
  }
  rejectUnknown(g, GUARD_KEYS, 'guard');
  if (g.validationData) checkGuardDataForm(g.validationData);
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
  const d = GUARD_DEFAULTS;
  return {
    validationData: g.validationData ?? null,
    lossFn: g.lossFn ?? null,
    candidates: g.candidates ?? d.candidates,
    batchSize: g.batchSize ?? d.batchSize,
    minImprovement: g.minImprovement ?? d.minImprovement,
    agreement: g.agreement ?? d.agreement,
  };
}
