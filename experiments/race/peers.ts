/**
 * The peers a user would pick instead of Koopman jumps, as pure functions on flat weight vectors
 * (the race's tfjs boundary lives in methods.ts). Each costs O(d) per call for d weights.
 */

/** EMA of weights, Keras `use_ema` convention: avg ← decay·avg + (1 − decay)·w, no bias correction. O(d). */
export function emaUpdate(avg: Float32Array | Float64Array, w: ArrayLike<number>, decay: number): void {
  if (avg.length !== w.length) throw new Error(`emaUpdate: average has ${avg.length} entries, weights ${w.length}`);
  if (!(decay >= 0 && decay < 1)) throw new Error(`emaUpdate: decay must be in [0, 1); got ${decay}`);
  const c = 1 - decay;
  for (let i = 0; i < avg.length; i++) avg[i] = decay * avg[i] + c * w[i];
}

/**
 * LAWA (latest weight averaging, Kaddour 2022; Sanyal et al. 2023): the mean of the latest k
 * checkpoints, taken at epoch ends. A ring of k copies: push O(d), mean O(k·d).
 */
export class LawaBuffer {
  readonly k: number;
  private readonly ring: Float32Array[] = [];
  private head = 0;

  constructor(k: number) {
    if (!Number.isInteger(k) || k < 1) throw new Error(`LAWA k must be an integer ≥ 1; got ${String(k)}`);
    this.k = k;
  }

  get count(): number {
    return this.ring.length;
  }

  /** Stores a copy of the checkpoint, dropping the oldest beyond k. */
  push(w: ArrayLike<number>): void {
    if (this.ring.length < this.k) {
      this.ring.push(Float32Array.from(w));
      return;
    }
    this.ring[this.head].set(w);
    this.head = (this.head + 1) % this.k;
  }

  /** The mean of the held checkpoints (float64 sums). */
  mean(): Float32Array {
    if (this.ring.length === 0) throw new Error('LAWA: no checkpoint held yet');
    const d = this.ring[0].length;
    const s = new Float64Array(d);
    for (const c of this.ring) for (let i = 0; i < d; i++) s[i] += c[i];
    const out = new Float32Array(d);
    for (let i = 0; i < d; i++) out[i] = s[i] / this.ring.length;
    return out;
  }
}

/**
 * Lookahead (Zhang et al. 2019) synchronisation after every k fast steps: slow ← slow + α(fast − slow),
 * then fast ← slow (both arrays updated in place). O(d).
 */
export function lookaheadSync(slow: Float32Array | Float64Array, fast: Float32Array | Float64Array, alpha: number): void {
  if (slow.length !== fast.length) throw new Error(`lookaheadSync: slow has ${slow.length} entries, fast ${fast.length}`);
  if (!(alpha > 0 && alpha <= 1)) throw new Error(`lookaheadSync: alpha must be in (0, 1]; got ${alpha}`);
  for (let i = 0; i < slow.length; i++) {
    slow[i] += alpha * (fast[i] - slow[i]);
    fast[i] = slow[i];
  }
}
