import type { LossPoint } from './record.js';
import type { ReplayOutcome } from './replay.js';

/**
 * Prechelt's stopping criteria ("Early stopping — but when?", 1998), replayed on recorded losses
 * (pure). With E_va(t) the validation loss after epoch t, E_opt(t) = min_{t' ≤ t} E_va(t') and a
 * training strip of length k (the k epochs ending at an epoch t with (t + 1) mod k = 0):
 * - GL_α: stop after the first epoch with the generalisation loss GL(t) = 100 · (E_va(t)/E_opt(t) − 1) > α;
 * - PQ_α: stop after the first strip end with GL(t) / P_k(t) > α, where the training progress
 *   P_k(t) = 1000 · (Σ_{strip} E_tr / (k · min_{strip} E_tr) − 1);
 * - UP_s: stop after the first strip end that ends the s-th successive strip whose validation loss
 *   rose: E_va(t) > E_va(t − k) at s strip ends in a row.
 */
export type PrecheltKind = 'gl' | 'pq' | 'up';

export interface PrecheltRule {
  kind: PrecheltKind;
  /** α for GL and PQ, s (successive strips) for UP. */
  param: number;
}

/** Prechelt's strip length. */
export const PRECHELT_STRIP = 5;

/** The Prechelt rules replayed by the study: GL_1, GL_2, GL_3, GL_5, PQ_0.5, PQ_1, PQ_2, UP_2, UP_3, UP_4 (Prechelt's ranges). */
export const PRECHELT_RULES: readonly PrecheltRule[] = [
  { kind: 'gl', param: 1 },
  { kind: 'gl', param: 2 },
  { kind: 'gl', param: 3 },
  { kind: 'gl', param: 5 },
  { kind: 'pq', param: 0.5 },
  { kind: 'pq', param: 1 },
  { kind: 'pq', param: 2 },
  { kind: 'up', param: 2 },
  { kind: 'up', param: 3 },
  { kind: 'up', param: 4 },
];

/** `prechelt-gl2`, `prechelt-pq0.5`, `prechelt-up3`, … */
export function precheltName(r: PrecheltRule): string {
  return `prechelt-${r.kind}${r.param}`;
}

/**
 * Replays one Prechelt rule on a run's validation losses `val[e]` and training losses `train[e]`
 * (index e = after epoch e, 0-based). Epochs whose values are not finite never stop the run (GL
 * and PQ are undefined there); a run the rule never stops goes to the end. Cost O(n) for n epochs.
 */
export function replayPrechelt(rule: PrecheltRule, val: number[], train: number[], strip = PRECHELT_STRIP): ReplayOutcome {
  if (val.length !== train.length) throw new Error(`replayPrechelt: ${val.length} validation and ${train.length} training losses`);
  if (!(rule.param > 0)) throw new Error(`replayPrechelt: the parameter must be > 0; got ${rule.param}`);
  if (!Number.isInteger(strip) || strip < 1) throw new Error(`replayPrechelt: strip must be an integer ≥ 1; got ${strip}`);
  if (rule.kind === 'up' && !Number.isInteger(rule.param)) throw new Error(`replayPrechelt: UP_s needs an integer s; got ${rule.param}`);
  let opt = Infinity;
  let rising = 0;
  const stop = (e: number, reason: string): ReplayOutcome => ({ epochsUsed: e + 1, stopEpoch: e, action: 'stop', rule: precheltName(rule), reason });
  for (let e = 0; e < val.length; e++) {
    if (Number.isFinite(val[e])) opt = Math.min(opt, val[e]);
    const gl = Number.isFinite(val[e]) && opt > 0 && Number.isFinite(opt) ? 100 * (val[e] / opt - 1) : NaN;
    if (rule.kind === 'gl') {
      if (gl > rule.param) return stop(e, `GL = ${gl.toFixed(2)} > ${rule.param}`);
      continue;
    }
    if ((e + 1) % strip !== 0) continue;
    if (rule.kind === 'pq') {
      const p = trainingProgress(train, e, strip);
      const q = p > 0 ? gl / p : gl > 0 ? Infinity : 0;
      if (q > rule.param) return stop(e, `GL / P${strip} = ${q.toFixed(3)} > ${rule.param}`);
    } else {
      if (e - strip < 0) continue;
      rising = val[e] > val[e - strip] ? rising + 1 : 0;
      if (rising >= rule.param) return stop(e, `validation loss rose over ${rising} successive strips of ${strip} epochs`);
    }
  }
  return { epochsUsed: val.length, stopEpoch: null, action: 'none', rule: 'budget', reason: 'never stopped: full budget' };
}

/** Prechelt's P_k(t) over the strip of k training losses ending at index t (NaN when one is not finite). */
export function trainingProgress(train: number[], t: number, k: number): number {
  let sum = 0;
  let min = Infinity;
  for (let i = t - k + 1; i <= t; i++) {
    const v = train[i];
    if (!Number.isFinite(v)) return NaN;
    sum += v;
    min = Math.min(min, v);
  }
  return min > 0 ? 1000 * (sum / (k * min) - 1) : NaN;
}

/** A stopping method's result on one run, scored on its final and on its best-epoch weights. */
export interface ScoredOutcome {
  epochsUsed: number;
  /** Test loss of the weights at the stop (w at `epochsUsed`). */
  finalTestLoss: number;
  /**
   * Test loss of the weights restoreBestWeights gives back: those of the best (lowest, first
   * occurrence) validation loss among w_1 … w_epochsUsed.
   */
  restoredTestLoss: number;
  /** Epoch count of the restored weights (t of w_t). */
  restoredEpoch: number;
}

/** Scores an outcome on the recorded losses `points` (points[t] = w_t, t = 0 the initialisation). Cost O(epochs). */
export function scoreOutcome(points: Pick<LossPoint, 'valLoss' | 'testLoss'>[], o: Pick<ReplayOutcome, 'epochsUsed'>): ScoredOutcome {
  const end = o.epochsUsed;
  if (!(end >= 1 && end < points.length)) throw new Error(`scoreOutcome: epochsUsed ${end} outside 1 … ${points.length - 1}`);
  let best = 1;
  for (let t = 2; t <= end; t++) if (points[t].valLoss < points[best].valLoss || !Number.isFinite(points[best].valLoss)) best = t;
  return { epochsUsed: end, finalTestLoss: points[end].testLoss, restoredTestLoss: points[best].testLoss, restoredEpoch: best };
}

/**
 * Which points lie on the Pareto front of (x, y), both to be minimised: a point is on it when no
 * other point has x' ≤ x and y' ≤ y with one of them strict. Non-finite points are never on it.
 * Cost O(n²) for n points.
 */
export function paretoFront(points: { x: number; y: number }[]): boolean[] {
  return points.map((p, i) => {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) return false;
    return !points.some((q, j) => j !== i && Number.isFinite(q.x) && Number.isFinite(q.y) && q.x <= p.x && q.y <= p.y && (q.x < p.x || q.y < p.y));
  });
}
