/** Curve statistics of the perceptron study, as pure functions. */

/** Mean and standard error of the mean across simulations, per step. `rows` are simulations. Cost O(sims·steps). */
export function meanAndSem(rows: ArrayLike<number>[]): { mean: Float64Array; sem: Float64Array } {
  const n = rows.length;
  const T = n ? rows[0].length : 0;
  const mean = new Float64Array(T);
  const sem = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (const r of rows) s += r[t];
    const m = s / n;
    let v = 0;
    for (const r of rows) v += (r[t] - m) ** 2;
    mean[t] = m;
    sem[t] = n > 1 ? Math.sqrt(v / (n - 1) / n) : 0;
  }
  return { mean, sem };
}

/**
 * Centred sliding-window mean of width w (the paper's 50-step smoothing); near the ends the
 * window is cut to the samples that exist. Cost O(length).
 */
export function smooth(y: ArrayLike<number>, w: number): Float64Array {
  if (!Number.isInteger(w) || w < 1) throw new Error(`smoothing width must be an integer ≥ 1; got ${w}`);
  const n = y.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + y[i];
  const out = new Float64Array(n);
  const back = Math.floor(w / 2);
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - back);
    const hi = Math.min(n, i - back + w);
    out[i] = (prefix[hi] - prefix[lo]) / (hi - lo);
  }
  return out;
}

/**
 * First step (1-based) from which the curve stays within `tol` of its final value, and the final
 * value. The wording is "first step at which the smoothed error is within 1 point of its
 * final value"; `firstEntry` is that step, `settled` the first step after which it never leaves.
 */
export function stepsToAsymptote(curve: ArrayLike<number>, tol: number): { firstEntry: number; settled: number; final: number } {
  const n = curve.length;
  if (n === 0) throw new Error('stepsToAsymptote: empty curve');
  const final = curve[n - 1];
  let firstEntry = -1;
  let settled = n;
  for (let i = 0; i < n; i++) {
    if (Math.abs(curve[i] - final) <= tol) {
      if (firstEntry < 0) firstEntry = i + 1;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    if (Math.abs(curve[i] - final) > tol) break;
    settled = i + 1;
  }
  return { firstEntry, settled, final };
}
