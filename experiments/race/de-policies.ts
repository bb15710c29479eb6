import * as tf from '@tensorflow/tfjs';
import type { KoopmanTrainingArgs } from '../../plugins/koopman-training/index.js';
import { resetOptimizerState } from '../../src/tfjs/optimizer-state.js';
import type { RaceMethod } from './methods.js';
import type { Workload } from './workloads.js';

/**
 * What happens to the optimizer's state after an accepted jump of h steps: 'keep' it; 'reset' it
 * (moments zeroed, Adam's bias-correction powers back to β); 'advance' Adam's bias-correction powers
 * by h (βᵢᵗ → βᵢᵗ⁺ʰ, as if the skipped steps had been taken; the moments kept).
 */
export type MomentsPolicy = 'keep' | 'reset' | 'advance';

/**
 * Plugin options of a race method (the guard is the workload's guard loss; `candidates` and
 * `minImprovement` go into it; `moments` is applied by the race method to the optimizer it is handed, which a custom loop's
 * plugin cannot reach: its `optimizerState` acts on `model.optimizer` only).
 */
export type PolicyArgs = Omit<KoopmanTrainingArgs, 'guard'> & { candidates?: number[]; minImprovement?: number; moments?: MomentsPolicy };

/** Applies a {@link MomentsPolicy} after an accepted jump of `h` steps. 'advance' on an optimizer without Adam's powers is refused. */
export async function afterJumpMoments(opt: tf.Optimizer, policy: MomentsPolicy, h: number): Promise<void> {
  if (policy === 'keep') return;
  if (policy === 'reset') {
    await resetOptimizerState(opt);
    return;
  }
  const o = opt as unknown as { accBeta1?: unknown; accBeta2?: unknown; beta1?: number; beta2?: number };
  if (!(o.accBeta1 instanceof tf.Variable) || !(o.accBeta2 instanceof tf.Variable) || typeof o.beta1 !== 'number' || typeof o.beta2 !== 'number') {
    throw new Error(`moments 'advance' needs Adam's bias-correction powers (accBeta1, accBeta2); ${opt.getClassName()} has none`);
  }
  const [a1, a2, b1, b2] = [o.accBeta1, o.accBeta2, o.beta1, o.beta2];
  tf.tidy(() => {
    a1.assign(tf.mul(a1, b1 ** h));
    a2.assign(tf.mul(a2, b2 ** h));
  });
}

/** k·f^j for j = 0, 1, … up to `max` (rounded to multiples of k, deduplicated). */
export function horizonGrid(k: number, max: number, factor = 2): number[] {
  const out = new Set<number>();
  for (let h = k; h <= max + 1e-9; h *= factor) out.add(Math.round(h / k) * k);
  return [...out].sort((a, b) => a - b);
}

/**
 * An explicit schedule shaped like the auto schedule (first decision at the end of the `first`-th
 * period P (2), a decision every `every` periods from a window of `snapshots` + 1 snapshots `k` steps
 * apart ending there), with every candidate tried (no bracket), the auto schedule's budget and
 * maxStepRatio unless overridden.
 */
export function explicitSchedule(w: Workload, o: { snapshots?: number; k?: number; every?: number; first?: number; cap?: number; factor?: number; minH?: number } & PolicyArgs = {}): PolicyArgs {
  const { snapshots = 32, k: kGiven, every = 1, first = 2, cap = 8, factor = 2, minH = 0, ...rest } = o;
  const P = w.stepsPerEpoch;
  const period = Math.round(every * P);
  const k = kGiven ?? Math.max(1, Math.floor(period / snapshots));
  const length = Math.min(snapshots * k, period - (period % k));
  const end = Math.max(Math.round(first * P), length + k);
  return {
    window: { start: end - length, end },
    recordEvery: k,
    every: period,
    horizon: horizonGrid(k, cap * P, factor).at(-1)!,
    candidates: horizonGrid(k, cap * P, factor).filter((h) => h >= minH),
    budget: 0.02,
    maxStepRatio: 10,
    ...rest,
  };
}

/** The auto schedule with the guard's candidates replaced (k = ⌊P / 32⌋ as the auto schedule picks it). */
function autoWithCap(w: Workload, cap: number, factor = 2, extra: PolicyArgs = {}): PolicyArgs {
  const k = Math.max(1, Math.floor(w.stepsPerEpoch / 32));
  return { candidates: horizonGrid(k, cap * w.stepsPerEpoch, factor), ...extra };
}

const NET: PolicyArgs = { partition: { default: 'network' } };
const NETU: PolicyArgs = { ...NET, stabilize: false };

/**
 * DE-solver policies tried against the auto schedule for Adam (results/race/parts/de-adam-policies):
 * `kde-*` scan variants. Each is a function of the workload (P = its steps per evaluation).
 */
export const DE_POLICIES: Record<string, (w: Workload) => PolicyArgs> = {
  /**
   * The best DE-Adam policy found (= kde-c5): one operator on the whole network (rank 0: optimal
   * hard threshold, affine, unstabilised), a guarded decision every P/4 steps from the end of the
   * first period on a window of 25 snapshots 3 steps apart, every horizon 3·2^j ≤ 4P tried, Adam's
   * bias-correction powers advanced by the accepted horizon (other optimizers: state kept).
   */
  'koopman-de': (w) => explicitSchedule(w, { ...NETU, every: 1 / 4, k: 3, snapshots: 24, cap: 4, moments: w.optimizer === 'adam' ? 'advance' : 'keep', first: 1 }),
  'kde-cap32': (w) => autoWithCap(w, 32),
  'kde-reset': () => ({ optimizerState: 'reset' }),
  'kde-auto-mreset': () => ({ moments: 'reset' }),
  'kde-net-mreset': (w) => explicitSchedule(w, { ...NET, cap: 4, moments: 'reset' }),
  'kde-all': (w) => explicitSchedule(w),
  'kde-all-cap32': (w) => explicitSchedule(w, { cap: 32 }),
  'kde-net': (w) => explicitSchedule(w, { partition: { default: 'network' }, cap: 32 }),
  'kde-layer': (w) => explicitSchedule(w, { partition: { default: 'layer' }, cap: 32 }),
  'kde-n64': (w) => explicitSchedule(w, { snapshots: 64, cap: 32 }),
  'kde-w2': (w) => explicitSchedule(w, { every: 2, cap: 32 }),
  'kde-net-e150': (w) => explicitSchedule(w, { ...NET, every: 0.5, k: 4, cap: 4 }),
  'kde-net-e100': (w) => explicitSchedule(w, { ...NET, every: 1 / 3, k: 3, cap: 4 }),
  'kde-net-e75': (w) => explicitSchedule(w, { ...NET, every: 1 / 4, k: 3, snapshots: 24, cap: 4 }),
  'kde-netu-e150': (w) => explicitSchedule(w, { ...NET, stabilize: false, every: 0.5, k: 4, cap: 4 }),
  'kde-netu-e100': (w) => explicitSchedule(w, { ...NET, stabilize: false, every: 1 / 3, k: 3, cap: 4 }),
  'kde-net-e50': (w) => explicitSchedule(w, { ...NET, every: 1 / 6, k: 2, snapshots: 24, cap: 4 }),
  'kde-net-e75-f1': (w) => explicitSchedule(w, { ...NET, every: 1 / 4, k: 3, snapshots: 24, cap: 4, first: 1 }),
  'kde-net-e75-reset': (w) => explicitSchedule(w, { ...NET, every: 1 / 4, k: 3, snapshots: 24, cap: 4, moments: 'reset' }),
  'kde-net-e75-adv': (w) => explicitSchedule(w, { ...NET, every: 1 / 4, k: 3, snapshots: 24, cap: 4, moments: 'advance' }),
  'kde-net-e75-fine': (w) => explicitSchedule(w, { ...NET, every: 1 / 4, k: 3, snapshots: 24, cap: 4, factor: Math.SQRT2 }),
  'kde-netu-e75': (w) => explicitSchedule(w, { ...NET, stabilize: false, every: 1 / 4, k: 3, snapshots: 24, cap: 4 }),
  'kde-c1': (w) => explicitSchedule(w, { ...NETU, every: 1 / 4, k: 3, snapshots: 24, cap: 4, moments: 'advance' }),
  'kde-c2': (w) => explicitSchedule(w, { ...NETU, every: 1 / 6, k: 2, snapshots: 24, cap: 4, moments: 'advance' }),
  'kde-c3': (w) => explicitSchedule(w, { ...NETU, every: 1 / 6, k: 2, snapshots: 24, cap: 4, moments: 'advance', factor: Math.SQRT2 }),
  'kde-c4': (w) => explicitSchedule(w, { ...NETU, every: 1 / 3, k: 3, cap: 4, moments: 'advance' }),
  'kde-c5': (w) => explicitSchedule(w, { ...NETU, every: 1 / 4, k: 3, snapshots: 24, cap: 4, moments: 'advance', first: 1 }),
  'kde-c6': (w) => explicitSchedule(w, { ...NETU, every: 1 / 6, k: 2, snapshots: 24, cap: 4, moments: 'advance', minH: 16 }),
  'kde-c7': (w) => explicitSchedule(w, { ...NETU, every: 1 / 6, k: 2, snapshots: 24, cap: 4, moments: 'advance', factor: Math.SQRT2, first: 1 }),
  'kde-c8': (w) => explicitSchedule(w, { ...NETU, every: 1 / 4, k: 3, snapshots: 24, cap: 4, moments: 'advance', factor: Math.SQRT2, first: 1 }),
  'kde-c9': (w) => explicitSchedule(w, { ...NETU, every: 1 / 4, k: 3, snapshots: 24, cap: 4, first: 1 }),
  'kde-m2': (w) => ({ ...DE_POLICIES['koopman-de'](w), minImprovement: 0.002 }),
  'kde-m5': (w) => ({ ...DE_POLICIES['koopman-de'](w), minImprovement: 0.005 }),
  'kde-m10': (w) => ({ ...DE_POLICIES['koopman-de'](w), minImprovement: 0.01 }),
  'kde-node-e75': (w) => explicitSchedule(w, { every: 1 / 4, k: 3, snapshots: 24 }),
  'kde-node-e75-f1': (w) => explicitSchedule(w, { every: 1 / 4, k: 3, snapshots: 24, first: 1 }),
  'kde-netu': (w) => explicitSchedule(w, { ...NET, stabilize: false, cap: 4 }),
};

/**
 * A control for `moments: 'reset'`: plain training whose optimizer state is reset every `every`
 * steps from step `from` on, with no Koopman jump at all (what the reset alone is worth).
 */
export function resetControlMethod(name: string, every: number, from: number): RaceMethod {
  let opt: tf.Optimizer | undefined;
  let resets = 0;
  return {
    name,
    async begin(_m, _w, optimizer) {
      if (!optimizer) throw new Error(`${name} needs the optimizer the harness steps`);
      opt = optimizer;
      resets = 0;
    },
    async afterStep(step) {
      if (step >= from && (step - from) % every === 0) {
        await resetOptimizerState(opt!);
        resets++;
      }
    },
    heldWeights: async () => null,
    costs: () => ({ recordMs: 0, fitMs: 0, guardMs: 0, extrapolateMs: 0, decisions: resets, accepted: 0, skippedSteps: 0, horizons: '', spentMs: 0, budgetSkips: 0, schedule: `optimizer state reset every ${every} steps from step ${from}` }),
  };
}

/** The reset controls by name (every 75, 150 and 600 steps from step 600). */
export const RESET_CONTROLS: Record<string, () => RaceMethod> = {
  'plain-reset75': () => resetControlMethod('plain-reset75', 75, 600),
  'plain-reset150': () => resetControlMethod('plain-reset150', 150, 600),
  'plain-reset600': () => resetControlMethod('plain-reset600', 600, 600),
};
