import type * as tf from '@tensorflow/tfjs';
import { readWeights, writeWeights } from '../../src/tfjs/weights.js';
import { withSpent, type MethodCosts, type RaceMethod } from './methods.js';
import { emaUpdate } from './peers.js';
import { bracketSearch, SNAPSHOT_FIT_DEFAULTS, SnapshotRing, SnapshotSpaceFit } from './shadow.js';
import type { Workload } from './workloads.js';

/** Options of {@link koopmanBestOfMethod}; every default in {@link BEST_OF_DEFAULTS}. */
export interface BestOfPolicy {
  /** EMA decay per step. @default 0.995 */
  decay: number;
  /** Snapshots per fit. @default 16 */
  snapshots: number;
  /** First horizon tried in operator steps (doubled while the guard loss falls). @default 4 */
  k0: number;
  /** @default 256 */
  kMax: number;
}
export const BEST_OF_DEFAULTS: Readonly<BestOfPolicy> = Object.freeze({ decay: 0.995, snapshots: 16, k0: 4, kMax: 256 });

/**
 * A shadow that hands out whichever of four candidates has the lowest guard loss at each
 * evaluation: the raw iterate, its EMA, and the snapshot-space Koopman extrapolations of each
 * (bracket search over the horizon). Training is never touched, so the user holds plain
 * training's weights whenever neither averaging nor extrapolation helps on the guard images.
 * Cost per evaluation: two O(d·n²) fits and ≈ 2·(log₂(k_best ÷ k₀) + 2) guard losses.
 */
export function koopmanBestOfMethod(name = 'koopman-best', policy: Partial<BestOfPolicy> = {}): RaceMethod {
  for (const key of Object.keys(policy)) if (!(key in BEST_OF_DEFAULTS)) throw new Error(`unknown best-of policy option '${key}'; known: ${Object.keys(BEST_OF_DEFAULTS).join(', ')}`);
  const p = { ...BEST_OF_DEFAULTS, ...policy };
  let model: tf.LayersModel;
  let w: Workload;
  let flat: Float32Array;
  let avg: Float32Array;
  let stride = 1;
  const rings = { raw: new SnapshotRing(p.snapshots), ema: new SnapshotRing(p.snapshots) };
  const c: MethodCosts = { recordMs: 0, fitMs: 0, guardMs: 0, extrapolateMs: 0, decisions: 0, accepted: 0, skippedSteps: 0, horizons: '', spentMs: 0, budgetSkips: 0, schedule: '' };
  const chosen: string[] = [];
  let heldSkip = 0;
  const guard = (x: Float32Array | null): number => {
    if (!x) return Infinity;
    const t = performance.now();
    writeWeights(model, x);
    const l = w.guardLoss(model);
    c.guardMs += performance.now() - t;
    return Number.isFinite(l) ? l : Infinity;
  };
  return {
    name,
    async begin(m, wl) {
      model = m;
      w = wl;
      stride = Math.max(1, Math.floor(wl.stepsPerEpoch / 24));
      flat = readWeights(m);
      avg = flat.slice();
      rings.raw.clear();
      rings.ema.clear();
    },
    async afterStep(step) {
      const t = performance.now();
      readWeights(model, flat);
      emaUpdate(avg, flat, p.decay);
      if (step % stride === 0) {
        rings.raw.push(flat);
        rings.ema.push(avg);
      }
      c.recordMs += performance.now() - t;
    },
    async heldWeights(step) {
      if (step === 0) return null;
      const current = readWeights(model);
      const rawLoss = guard(current);
      let best = { label: 'raw', loss: rawLoss, x: null as Float32Array | null, k: 0 };
      for (const src of ['ema', 'raw'] as const) {
        const base = src === 'ema' ? avg.slice() : current;
        let fit: SnapshotSpaceFit | null = null;
        if (rings[src].count >= p.snapshots) {
          const t = performance.now();
          try {
            fit = new SnapshotSpaceFit(rings[src].ordered(), SNAPSHOT_FIT_DEFAULTS);
          } catch {
            fit = null;
          }
          c.fitMs += performance.now() - t;
        }
        const cache = new Map<number, Float32Array | null>([[0, base]]);
        const loss = (k: number) => {
          if (k === 0) return src === 'raw' ? rawLoss : guard(base);
          const t = performance.now();
          const x = fit!.predict(k);
          c.extrapolateMs += performance.now() - t;
          cache.set(k, x);
          return guard(x);
        };
        const r = fit ? (await bracketSearch(loss, p.k0, p.kMax)).best : { k: 0, loss: await loss(0) };
        if (r.loss < best.loss) best = { label: r.k ? `${src}+${r.k * stride}` : src, loss: r.loss, x: cache.get(r.k) ?? null, k: r.k };
      }
      const t = performance.now();
      writeWeights(model, current);
      c.guardMs += performance.now() - t;
      c.decisions++;
      if (best.k > 0) c.accepted++;
      heldSkip = best.k * stride;
      chosen.push(best.label);
      return best.x ?? null;
    },
    costs: () => withSpent({ ...c, skippedSteps: heldSkip, horizons: chosen.join(' ') }),
  };
}
