import { scatterGroup } from '../partition/partition.js';
import type { WeightGroup } from '../partition/types.js';
import type { TrajectoryRecorder } from '../trajectory/recorder.js';
import { fitRecorded, rankSummary, type BatchFit, type FitStopRule } from './batch.js';
import { fitRows } from './fit.js';
import type { KoopmanOperator } from './operator.js';
import { resolveFitOptions, type FitOptions } from './options.js';

/** Flat weight vectors by optimizer step (a stored trajectory). */
export type WeightsAt = (step: number) => ArrayLike<number>;

/** Where a window's snapshots come from: a recorder's held window, or a stored trajectory and a step range. */
export type WindowSource =
  | {
      recorder: TrajectoryRecorder;
      /** Optimizer steps between the recorded snapshots. @default the recorder's `every` */
      stride?: number;
      /** Fit only the newest `last` snapshots. @default all held */
      last?: number;
      /** Ends the fit early (the remaining groups get no operator, with `reason`). @default never */
      stop?: FitStopRule;
    }
  | { weightsAt: WeightsAt; groups: WeightGroup[]; /** First and last step of the window (inclusive; end − start a multiple of stride). */ start: number; end: number; stride: number };

/** One operator per weight group over one window, and the predictions made from it. */
export interface WindowFit {
  groups: WeightGroup[];
  /** One operator per group, or null where the fit failed (see errors). */
  operators: (KoopmanOperator | null)[];
  /** Why a group could not be fitted, by group index. */
  errors: Map<number, string>;
  /** Each group's weights at the window end: the states the operators extrapolate from. */
  states: Float64Array[];
  /** Optimizer steps per operator application. */
  stride: number;
  snapshots: number;
  ranks: { min: number; median: number; max: number };
  ms: number;
  /** Groups left unfitted because the source's `stop` said so (0 otherwise). */
  stopped: number;
  /** Every group's state `steps` optimizer steps past the window end (null where no operator). O(1) in steps per group. */
  predictGroups(steps: number): (Float64Array | null)[];
  /**
   * `base` (the flat weights at the window end) with every fitted group's prediction written in,
   * or null when a predicted weight is not finite in float32. Pass `groups` from an earlier
   * {@link predictGroups} call to avoid predicting twice.
   */
  predictWeights(steps: number, base: ArrayLike<number>, groups?: (Float64Array | null)[]): Float32Array | null;
}

/**
 * The one window fit every caller uses (the training plugin and the experiments): gathers each
 * group's snapshots over the window, fits its operator (cost per group: that of {@link fitRows}),
 * and answers predictions of the groups and of the whole weight vector. Groups whose fit fails are
 * reported in `errors`, not thrown, unless `strict` is set.
 */
export function fitWindow(source: WindowSource, options: FitOptions = {}, strict = false): WindowFit {
  const t0 = performance.now();
  if ('recorder' in source) {
    const rec = source.recorder;
    return recordedWindowFit(rec, fitRecorded(rec, options, strict, source.last, source.stop), source.stride, source.last, t0);
  }
  const { weightsAt, start, end, stride, groups } = source;
  if (!(Number.isInteger(stride) && stride >= 1)) throw new Error(`fitWindow: stride must be an integer ≥ 1; got ${String(stride)}`);
  if (!(end > start) || (end - start) % stride !== 0) {
    throw new Error(`fitWindow: window [${start}, ${end}] must have end > start and a length that is a multiple of the stride ${stride}`);
  }
  const o = resolveFitOptions(options);
  const snapshots = (end - start) / stride + 1;
  const maxDim = groups.reduce((a, g) => Math.max(a, g.indices.length), 0);
  const scratch = new Float64Array(maxDim * snapshots);
  const snaps = Array.from({ length: snapshots }, (_, k) => weightsAt(start + k * stride));
  const last = snaps[snapshots - 1];
  const operators: (KoopmanOperator | null)[] = [];
  const errors = new Map<number, string>();
  const states = groups.map((g) => Float64Array.from(g.indices, (i) => last[i]));
  groups.forEach((g, gi) => {
    const d = g.indices.length;
    const rows = scratch.subarray(0, d * snapshots);
    for (let k = 0; k < snapshots; k++) {
      const w = snaps[k];
      for (let i = 0; i < d; i++) rows[i * snapshots + k] = w[g.indices[i]];
    }
    try {
      operators.push(fitRows(rows, d, snapshots, o, `group ${g.id}`));
    } catch (err) {
      if (strict) throw err;
      errors.set(gi, (err as Error).message);
      operators.push(null);
    }
  });
  return windowFit({ groups, operators, errors, states, stride, snapshots, stopped: 0 }, t0);
}

/** The parts of a {@link WindowFit} a fit computes; the predictions are built on them. */
type WindowFitParts = Pick<WindowFit, 'groups' | 'operators' | 'errors' | 'states' | 'stride' | 'snapshots' | 'stopped'>;

/** A recorder window's fit (from {@link fitRecorded} or a pool's) with its states and predictions. */
export function recordedWindowFit(rec: TrajectoryRecorder, fit: BatchFit, stride: number | undefined, last: number | undefined, t0: number): WindowFit {
  return windowFit(
    {
      groups: rec.groups,
      operators: fit.operators,
      errors: fit.errors,
      states: rec.groups.map((_, g) => rec.latest(g)),
      stride: stride ?? rec.every,
      snapshots: last ?? rec.count,
      stopped: fit.stopped,
    },
    t0,
  );
}

/** Adds the ranks, the time since `t0` and the predictions to a window's fitted operators. */
function windowFit(p: WindowFitParts, t0: number): WindowFit {
  const { groups, operators, states, stride } = p;
  const predictGroups = (steps: number): (Float64Array | null)[] => {
    if (steps % stride !== 0) throw new Error(`predict: ${steps} steps is not a multiple of the operators' stride ${stride}`);
    return operators.map((op, g) => (op ? op.predict(states[g], steps / stride) : null));
  };
  return {
    ...p,
    ranks: rankSummary(operators),
    ms: performance.now() - t0,
    predictGroups,
    predictWeights(steps, base, predicted = predictGroups(steps)) {
      for (const x of predicted) if (x) for (let i = 0; i < x.length; i++) if (!Number.isFinite(Math.fround(x[i]))) return null;
      const out = Float32Array.from(base);
      predicted.forEach((x, g) => x && scatterGroup(out, groups[g], x));
      return out;
    },
  };
}

/**
 * Drops the operators whose first step is implausible: one operator step from the group's state
 * moves some weight by more than `ratio` × the largest change of any weight between consecutive
 * snapshots of the window (`largestStep(g)`). Such an operator extrapolates a direction the
 * window barely spans (a tiny σ divided into Y's motion: raw eigenvalues of 10⁴ are possible),
 * and one such group can ruin a whole-model jump. The group then keeps its weights (its error
 * says why). Returns how many were dropped. Cost O(d·r) per group.
 */
export function dropWildOperators(fit: WindowFit, largestStep: (g: number) => number, ratio: number): number {
  if (!(ratio > 0)) throw new Error(`dropWildOperators: ratio must be > 0; got ${ratio}`);
  let dropped = 0;
  fit.operators.forEach((op, g) => {
    if (!op) return;
    const x0 = fit.states[g];
    const x1 = op.predict(x0, 1);
    let move = 0;
    for (let i = 0; i < x0.length; i++) {
      const v = Math.abs(x1[i] - x0[i]);
      if (Number.isNaN(v)) {
        move = Number.NaN; // counts as wild
        break;
      }
      if (v > move) move = v;
    }
    const bound = ratio * largestStep(g);
    if (!(move <= bound)) {
      fit.operators[g] = null;
      fit.errors.set(g, `one operator step moves a weight by ${move.toPrecision(3)}, more than ${ratio} × the largest step in the window (${largestStep(g).toPrecision(3)}): kept at its t2 weights`);
      dropped++;
    }
  });
  return dropped;
}
