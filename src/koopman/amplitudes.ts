import { cpow, type Complex } from '../linalg/complex.js';
import { complexGaussJordan } from '../linalg/complex-solve.js';
import type { KoopmanOperator } from './operator.js';

/**
 * The two definitions of a mode's amplitude the project uses, named here in one place:
 * - `'first-snapshot'`: αₖ = W⁻¹z₀, the window's first snapshot written in the unit-norm Ritz
 *   vectors (Schmid's DMD; {@link KoopmanOperator.amplitudes}). Exact for noise-free data, but one
 *   noisy snapshot decides it.
 * - `'window'`: the least-squares fit of x(t) ≈ Σₖ mₖλₖᵗ to every snapshot of the window (the
 *   Vandermonde form of Drmač, Mezić & Mohr), {@link windowAmplitudes}: robust to noise, and what
 *   the spectrum monitor uses by default.
 */
export type AmplitudeFit = 'first-snapshot' | 'window';
export const AMPLITUDE_FITS: readonly AmplitudeFit[] = ['window', 'first-snapshot'];

/** Result of {@link windowAmplitudes}. */
export interface ModeAmplitudes {
  /** |αₖ|: the norm of mode k's coefficient vector at the window's first snapshot. */
  amplitudes: number[];
  /** ‖X − Σₖ mₖ λₖᵗ‖_F / ‖X‖_F over the window (0 for data the eigenvalues explain exactly). */
  reconstructionError: number;
  /** mₖ's last coordinate (complex), so x_last(t) ≈ Σₖ lastₖ λₖᵗ can be evaluated at any t. */
  last: Complex[];
}

/**
 * `'window'` amplitudes of the Koopman mode decomposition x(t) ≈ Σₖ mₖ λₖᵗ (seed 003, eq. 4, with mₖ = φₖαₖ
 * and unit-norm φₖ) fitted to every snapshot of the window at once — the Vandermonde form of
 * Drmač, Mezić & Mohr (2019) — by least squares over t = 0 … n−1. For data that the eigenvalues
 * explain exactly, αₖ is the coefficient of the first snapshot on unit-norm modes; with noise it is
 * the best fit over the whole window rather than over one snapshot.
 *
 * The normal equations are solved with a relative ridge of 1e-12 so that nearly equal eigenvalues
 * (a linear drift appears as a pair at 1) share their coefficient instead of cancelling.
 */
export function windowAmplitudes(snapshots: ArrayLike<number>[], eigenvalues: Complex[]): ModeAmplitudes {
  const n = snapshots.length;
  const r = eigenvalues.length;
  const d = n > 0 ? snapshots[0].length : 0;
  if (r === 0 || n === 0) return { amplitudes: [], reconstructionError: n === 0 ? 0 : 1, last: [] };
  // Vandermonde V (n × r): V[t][k] = λₖᵗ
  const vRe = new Float64Array(n * r);
  const vIm = new Float64Array(n * r);
  for (let k = 0; k < r; k++) {
    for (let t = 0; t < n; t++) {
      const p = cpow(eigenvalues[k], t);
      vRe[t * r + k] = p.re;
      vIm[t * r + k] = p.im;
    }
  }
  // G = Vᴴ V (r × r) and R = Vᴴ X (r × d), X[t][i] = snapshot t, coordinate i (real).
  const m = r + d; // augmented [G | R]
  const aRe = new Float64Array(r * m);
  const aIm = new Float64Array(r * m);
  for (let k = 0; k < r; k++) {
    for (let l = 0; l < r; l++) {
      let sr = 0;
      let si = 0;
      for (let t = 0; t < n; t++) {
        const ar = vRe[t * r + k];
        const ai = -vIm[t * r + k];
        const br = vRe[t * r + l];
        const bi = vIm[t * r + l];
        sr += ar * br - ai * bi;
        si += ar * bi + ai * br;
      }
      aRe[k * m + l] = sr;
      aIm[k * m + l] = si;
    }
    for (let i = 0; i < d; i++) {
      let sr = 0;
      let si = 0;
      for (let t = 0; t < n; t++) {
        const x = snapshots[t][i];
        sr += vRe[t * r + k] * x;
        si -= vIm[t * r + k] * x;
      }
      aRe[k * m + r + i] = sr;
      aIm[k * m + r + i] = si;
    }
  }
  let maxDiag = 0;
  for (let k = 0; k < r; k++) maxDiag = Math.max(maxDiag, aRe[k * m + k]);
  for (let k = 0; k < r; k++) aRe[k * m + k] += 1e-12 * maxDiag;
  complexGaussJordan(aRe, aIm, r, m, 'skip'); // a zero column: its coefficients stay 0 after the ridge

  const amplitudes: number[] = [];
  for (let k = 0; k < r; k++) {
    let s = 0;
    for (let i = 0; i < d; i++) s += aRe[k * m + r + i] ** 2 + aIm[k * m + r + i] ** 2;
    amplitudes.push(Math.sqrt(s));
  }
  // reconstruction error
  let num = 0;
  let den = 0;
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < d; i++) {
      let re = 0;
      for (let k = 0; k < r; k++) {
        const cr = aRe[k * m + r + i];
        const ci = aIm[k * m + r + i];
        re += vRe[t * r + k] * cr - vIm[t * r + k] * ci;
      }
      const x = snapshots[t][i];
      num += (x - re) ** 2;
      den += x * x;
    }
  }
  const last = Array.from({ length: r }, (_, k) => ({ re: aRe[k * m + r + d - 1], im: aIm[k * m + r + d - 1] }));
  return { amplitudes, reconstructionError: den > 0 ? Math.sqrt(num / den) : 0, last };
}

/**
 * `'first-snapshot'` amplitudes of a fitted operator's modes ({@link KoopmanOperator.amplitudes}),
 * with the reconstruction error of the operator's own trajectory from the first snapshot and each
 * mode's last coordinate for forecasts. `snapshots` are the ones the operator was fitted on.
 * Cost O(n·(d·r + r²)) for n snapshots of dimension d at rank r.
 */
export function firstSnapshotAmplitudes(op: KoopmanOperator, snapshots: ArrayLike<number>[]): ModeAmplitudes {
  const n = snapshots.length;
  if (n === 0 || op.rank === 0) return { amplitudes: [], reconstructionError: n === 0 ? 0 : 1, last: [] };
  const amplitudes = op.amplitudes.map((a) => Math.hypot(a.re, a.im));
  const traj = op.trajectory(snapshots[0], n - 1);
  let num = 0;
  let den = 0;
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < snapshots[t].length; i++) {
      const x = snapshots[t][i];
      num += (x - traj[t][i]) ** 2;
      den += x * x;
    }
  }
  return { amplitudes, reconstructionError: den > 0 ? Math.sqrt(num / den) : 0, last: [] };
}
