import type * as tf from '@tensorflow/tfjs';
import * as tfjs from '@tensorflow/tfjs';
import { koopmanTraining, type JumpRecord, type KoopmanTraining } from '../../plugins/koopman-training/index.js';
import { afterJumpMoments, type PolicyArgs } from './de-policies.js';
import { readWeights, writeWeights } from '../../src/tfjs/weights.js';
import { emaUpdate, LawaBuffer, lookaheadSync } from './peers.js';
import { bracketSearch, gridSearch, SNAPSHOT_FIT_DEFAULTS, SnapshotRing, SnapshotSpaceFit, type Probe } from './shadow.js';
import type { Workload } from './workloads.js';

/** What a method spent on top of the optimizer (all of it inside the method's wall time). */
export interface MethodCosts {
  recordMs: number;
  fitMs: number;
  /** Guard evaluations (candidate losses). */
  guardMs: number;
  extrapolateMs: number;
  decisions: number;
  accepted: number;
  /** Optimizer steps the held weights stand for beyond those taken (jumps or the shadow's horizon). */
  skippedSteps: number;
  /** Horizons chosen, in steps, space-separated (a log for the runs table). */
  horizons: string;
  /** All the method's own time (the plugin's report.spentMs; the sum of the four parts elsewhere), ms. */
  spentMs: number;
  /** Decisions the plugin skipped to stay within its budget. */
  budgetSkips: number;
  /** What the plugin's schedule chose, in one line ('' for other methods). */
  schedule: string;
}

/**
 * A race entrant. The harness calls begin once, afterStep after every optimizer step, and
 * heldWeights at every evaluation point (its time counts); it then scores the weights returned
 * (null: the model's own), which is what the user holds and what callbacks would see
 * (the Keras `SwapEMAWeights` convention).
 */
export interface RaceMethod {
  readonly name: string;
  /** `optimizer` is the one the harness steps (a method that changes its state after a jump needs it). */
  begin(model: tf.LayersModel, w: Workload, optimizer?: tf.Optimizer): Promise<void>;
  afterStep(step: number, loss: number): Promise<void>;
  heldWeights(step: number): Promise<Float32Array | null>;
  costs(): MethodCosts;
  /** Frees what the method holds (tf variables), after its last evaluation. */
  end?(): void;
}

function zeroCosts(): MethodCosts {
  return { recordMs: 0, fitMs: 0, guardMs: 0, extrapolateMs: 0, decisions: 0, accepted: 0, skippedSteps: 0, horizons: '', spentMs: 0, budgetSkips: 0, schedule: '' };
}

/** The costs with spentMs = record + fit + extrapolate + guard (methods without a report of their own). */
export function withSpent(c: MethodCosts): MethodCosts {
  return { ...c, spentMs: c.recordMs + c.fitMs + c.extrapolateMs + c.guardMs };
}

/** Plain training: nothing on top of the optimizer. */
export function plainMethod(): RaceMethod {
  return { name: 'plain', begin: async () => undefined, afterStep: async () => undefined, heldWeights: async () => null, costs: zeroCosts };
}

/** EMA of the weights (decay per step), scored on the average. O(d) per step. */
export function emaMethod(decay = 0.995, name = 'ema'): RaceMethod & { average(): Float32Array } {
  let model: tf.LayersModel;
  let flat: Float32Array;
  let avg: Float32Array;
  return {
    name,
    async begin(m) {
      model = m;
      flat = readWeights(m);
      avg = flat.slice();
    },
    async afterStep() {
      readWeights(model, flat);
      emaUpdate(avg, flat, decay);
    },
    heldWeights: async () => avg.slice(),
    costs: zeroCosts,
    average: () => avg,
  };
}

/**
 * EMA of the weights kept in tf variables and updated in-graph after every step (what Keras'
 * `use_ema` does): no read-back per step, one read of the average at each evaluation. O(d) per
 * step on the backend.
 */
export function emaTfMethod(decay = 0.995, name = 'ema-tf'): RaceMethod {
  let vars: tf.Variable[] = [];
  let avgs: tf.Variable[] = [];
  return {
    name,
    async begin(m) {
      vars = m.trainableWeights.map((v) => v.read() as tf.Variable);
      avgs = vars.map((v) => tfjs.tidy(() => tfjs.variable(v.clone(), false)));
    },
    async afterStep() {
      tfjs.tidy(() => vars.forEach((v, i) => avgs[i].assign(tfjs.add(tfjs.mul(avgs[i], decay), tfjs.mul(v, 1 - decay)))));
    },
    async heldWeights() {
      const parts = avgs.map((a) => a.dataSync() as Float32Array);
      const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    },
    end() {
      tfjs.dispose(avgs);
      avgs = [];
    },
    costs: zeroCosts,
  };
}

/** LAWA: the mean of the latest k epoch-end checkpoints (the raw iterate before k epochs end). */
export function lawaMethod(k = 3): RaceMethod {
  let model: tf.LayersModel;
  let buf: LawaBuffer;
  let spe = 1;
  return {
    name: 'lawa',
    async begin(m, w) {
      model = m;
      spe = w.stepsPerEpoch;
      buf = new LawaBuffer(k);
    },
    async afterStep() {
      return undefined;
    },
    async heldWeights(step) {
      if (step === 0) return null;
      if (step % spe === 0) buf.push(readWeights(model));
      return buf.count ? buf.mean() : null;
    },
    costs: zeroCosts,
  };
}

/** Lookahead (k fast steps, slow ← slow + α(fast − slow), fast ← slow); the model holds the fast weights. */
export function lookaheadMethod(k = 5, alpha = 0.5): RaceMethod {
  let model: tf.LayersModel;
  let slow: Float32Array;
  let fast: Float32Array;
  return {
    name: 'lookahead',
    async begin(m) {
      model = m;
      slow = readWeights(m);
      fast = slow.slice();
    },
    async afterStep(step) {
      if (step % k !== 0) return;
      readWeights(model, fast);
      lookaheadSync(slow, fast, alpha);
      writeWeights(model, fast);
    },
    heldWeights: async () => null,
    costs: zeroCosts,
  };
}

/** The costs a plugin's report states: its jumps' parts, its own total, budget skips and schedule. */
function pluginCosts(kt: KoopmanTraining): MethodCosts {
  const j = kt.report.jumps;
  const sum = (f: (x: (typeof j)[number]) => number) => j.reduce((a, x) => a + f(x), 0);
  return {
    recordMs: sum((x) => x.recordMs),
    fitMs: sum((x) => x.fitMs),
    guardMs: sum((x) => x.guardMs),
    extrapolateMs: sum((x) => x.extrapolateMs),
    decisions: j.length,
    accepted: j.filter((x) => x.accepted).length,
    skippedSteps: kt.report.skippedSteps,
    horizons: j.map((x) => x.horizon).join(' '),
    spentMs: kt.report.spentMs,
    budgetSkips: kt.report.budgetSkips,
    schedule: kt.report.schedule?.text ?? '',
  };
}

/** The plugin with an explicit schedule, driven as a custom loop drives it (attach + afterStep), guard on the guard loss. */
export function koopmanPluginMethod(args: (w: Workload) => PolicyArgs, name = 'koopman-fixed'): RaceMethod {
  let kt: KoopmanTraining;
  return {
    name,
    async begin(m, w, optimizer) {
      const { candidates, moments, minImprovement, ...rest } = args(w);
      if (moments && moments !== 'keep' && !optimizer) throw new Error(`${name}: moments '${moments}' needs the optimizer the harness steps`);
      const onJump = moments && moments !== 'keep' ? async (j: JumpRecord) => { if (j.accepted) await afterJumpMoments(optimizer!, moments, j.horizon); } : undefined;
      kt = koopmanTraining({ ...rest, ...(onJump ? { onJump } : {}), guard: { lossFn: (mm) => w.guardLoss(mm), ...(candidates ? { candidates } : {}), ...(minImprovement !== undefined ? { minImprovement } : {}) } });
      // no totalSteps: the policies' budget (koopman-de's) counts the training so far, as when its part was measured
      await kt.attach(m, w.stepsPerEpoch);
    },
    afterStep: (_s, loss) => kt.afterStep({ loss }),
    heldWeights: async () => null,
    costs: () => pluginCosts(kt),
  };
}

/**
 * The plugin with the auto schedule, configured in one line as the README tells a user:
 * `koopmanTraining({ guard: { validationData: [x, y] } })` on the guard images (the DE solver has
 * no data set: `guard: { lossFn }` with its physics loss). A fit() user's model is compiled; the
 * race's custom loop compiles it only so that the guard's model.evaluate can run (the loss is the
 * workload's, the compiled optimizer is never stepped).
 */
export function koopmanAutoMethod(name = 'koopman'): RaceMethod {
  let kt: KoopmanTraining;
  return {
    name,
    async begin(m, w) {
      if (w.guardData) {
        m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
        kt = koopmanTraining({ guard: { validationData: w.guardData } });
      } else {
        kt = koopmanTraining({ guard: { lossFn: (mm) => w.guardLoss(mm) } });
      }
      await kt.attach(m, w.stepsPerEpoch, w.epochs * w.stepsPerEpoch);
    },
    afterStep: (_s, loss) => kt.afterStep({ loss }),
    heldWeights: async () => null,
    costs: () => pluginCosts(kt),
  };
}

/** Options of the snapshot-space Koopman policies ({@link koopmanSnapshotMethod}). */
export interface SnapshotPolicy {
  /** Trajectory extrapolated: the EMA of the weights or the raw iterate. @default 'ema' */
  source: 'ema' | 'raw';
  /** 'shadow': training untouched, the extrapolation is what is held; 'jump': written into training. @default 'shadow' */
  mode: 'shadow' | 'jump';
  /** Record every this many steps; 0 = ⌊steps per evaluation ÷ 24⌋ (at least 1; 7 for 187-step epochs). @default 0 */
  stride: number;
  /** Snapshots fitted. @default 16 */
  snapshots: number;
  /** First horizon tried, in operator steps (then doubled while the guard loss falls). @default 4 */
  k0: number;
  /** Largest horizon in operator steps. @default 256 */
  kMax: number;
  /** Decide at every this-many-th evaluation point. @default 1 */
  decideEvery: number;
  /** EMA decay (source 'ema'). @default 0.995 */
  decay: number;
  /** Horizon search: 'bracket' (double while the guard loss falls) or 'grid' (every candidate). @default 'bracket' */
  search: 'bracket' | 'grid';
  /** Rank rule of the operator on the POD coordinates (the engine's: 0 optimal hard threshold, −1 full). @default 0 */
  rank: number;
}
export const SNAPSHOT_POLICY_DEFAULTS: Readonly<SnapshotPolicy> = Object.freeze({
  source: 'ema',
  mode: 'shadow',
  stride: 0,
  snapshots: 16,
  k0: 4,
  kMax: 256,
  decideEvery: 1,
  decay: 0.995,
  rank: 0,
  search: 'bracket',
});

/** Resolves a policy, rejecting unknown keys by name. */
export function resolveSnapshotPolicy(p: Partial<SnapshotPolicy>): SnapshotPolicy {
  for (const key of Object.keys(p)) {
    if (!(key in SNAPSHOT_POLICY_DEFAULTS)) throw new Error(`unknown snapshot policy option '${key}'; known: ${Object.keys(SNAPSHOT_POLICY_DEFAULTS).join(', ')}`);
  }
  const o = { ...SNAPSHOT_POLICY_DEFAULTS, ...p };
  for (const key of ['stride', 'snapshots', 'k0', 'kMax', 'decideEvery'] as const) {
    const least = key === 'stride' ? 0 : 1;
    if (!Number.isInteger(o[key]) || o[key] < least) throw new Error(`snapshot policy ${key} must be an integer ≥ ${least}; got ${String(o[key])}`);
  }
  if (o.snapshots < 4) throw new Error(`snapshot policy snapshots must be ≥ 4; got ${o.snapshots}`);
  return o;
}

/**
 * Koopman on the whole weight vector in the span of its own snapshots (one `network` operator,
 * O(d·n²) a fit), of the EMA or the raw trajectory, with a bracket search of the horizon on the
 * guard loss at evaluation points. As a shadow (the extrapolation is what the user holds,
 * training untouched) or as a jump written into training.
 */
export function koopmanSnapshotMethod(name: string, policy: Partial<SnapshotPolicy> = {}): RaceMethod {
  const p = { ...resolveSnapshotPolicy(policy) };
  let model: tf.LayersModel;
  let w: Workload;
  let flat: Float32Array;
  let avg: Float32Array;
  let ring: SnapshotRing;
  let evals = 0;
  const c = zeroCosts();
  const horizons: number[] = [];
  let heldSkip = 0;
  return {
    name,
    async begin(m, wl) {
      model = m;
      w = wl;
      if (policy.stride === undefined || policy.stride === 0) p.stride = Math.max(1, Math.floor(wl.stepsPerEpoch / 24));
      flat = readWeights(m);
      avg = flat.slice();
      ring = new SnapshotRing(p.snapshots);
      evals = 0;
    },
    async afterStep(step) {
      const t0 = performance.now();
      if (p.source === 'ema') {
        readWeights(model, flat);
        emaUpdate(avg, flat, p.decay);
      }
      if (step % p.stride === 0) {
        if (p.source === 'raw') readWeights(model, flat);
        ring.push(p.source === 'ema' ? avg : flat);
      }
      c.recordMs += performance.now() - t0;
    },
    async heldWeights(step) {
      const base = p.source === 'ema' ? avg.slice() : null;
      if (step === 0) return base;
      evals++;
      if (evals % p.decideEvery !== 0 || ring.count < p.snapshots) return base;
      const t0 = performance.now();
      let fit: SnapshotSpaceFit;
      try {
        fit = new SnapshotSpaceFit(ring.ordered(), { ...SNAPSHOT_FIT_DEFAULTS, rank: p.rank });
      } catch {
        c.fitMs += performance.now() - t0;
        return base;
      }
      c.fitMs += performance.now() - t0;
      c.decisions++;
      const current = readWeights(model);
      const cache = new Map<number, Float32Array | null>();
      const loss = (k: number): number => {
        const te = performance.now();
        const x = fit.predict(k);
        c.extrapolateMs += performance.now() - te;
        cache.set(k, x);
        if (!x) return Infinity;
        const tg = performance.now();
        writeWeights(model, x);
        const l = w.guardLoss(model);
        c.guardMs += performance.now() - tg;
        return Number.isFinite(l) ? l : Infinity;
      };
      const { best } = await (p.search === 'grid' ? gridSearch : bracketSearch)(loss, p.k0, p.kMax);
      const tw = performance.now();
      const chosen = cache.get(best.k) ?? null;
      horizons.push(best.k * p.stride);
      if (best.k > 0) c.accepted++;
      if (p.mode === 'jump') {
        writeWeights(model, best.k > 0 && chosen ? chosen : current);
        if (best.k > 0) {
          c.skippedSteps += best.k * p.stride;
          ring.clear();
          if (p.source === 'ema') avg.set(chosen!);
        }
        c.guardMs += performance.now() - tw;
        return p.source === 'ema' ? avg.slice() : null;
      }
      writeWeights(model, current);
      c.guardMs += performance.now() - tw;
      heldSkip = best.k * p.stride;
      return best.k > 0 && chosen ? chosen : base;
    },
    costs: () => withSpent({ ...c, skippedSteps: p.mode === 'shadow' ? heldSkip : c.skippedSteps, horizons: horizons.join(' ') }),
  };
}

export type { Probe };
