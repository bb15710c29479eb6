import { cabs, type Complex } from '../linalg/complex.js';
import { complexInverse } from '../linalg/complex-inverse.js';
import type { KannFit } from './fit.js';
import { checkHiddenStates, type HiddenStates } from './states.js';

/**
 * Memory horizons τⱼ(ε) = log ε / log |λⱼ| (seed 001, eq. 9): the steps after which eigenvector j
 * is scaled by ε. |λ| ≥ 1 never decays: Infinity (|λ| > 1 is unstable besides); λ = 0 gives 0.
 * Cost O(r).
 */
export function memoryHorizons(eigenvalues: Complex[], epsilon: number): number[] {
  if (!(epsilon > 0 && epsilon < 1)) throw new Error(`epsilon must be a number in (0, 1); got ${String(epsilon)}`);
  return eigenvalues.map((l) => {
    const a = cabs(l);
    if (a >= 1) return Infinity;
    if (a === 0) return 0;
    return Math.log(epsilon) / Math.log(a);
  });
}

/** Number of eigenvalues with |λ| > threshold (the paper counts |λ| > 0.99). Cost O(r). */
export function countAbove(eigenvalues: Complex[], threshold = 0.99): number {
  return eigenvalues.filter((l) => cabs(l) > threshold).length;
}

/** Coefficients h̃ = h·B (eq. 5) of every state, samples × steps × r, flat. Cost O(M·d·r). */
export function kannCoefficients(fit: KannFit, states: HiddenStates): Float64Array {
  checkSameDim(fit, states);
  const { dim: d, rank: r, basis } = fit;
  const M = states.samples * states.steps;
  const out = new Float64Array(M * r);
  const h = states.data;
  for (let m = 0; m < M; m++) {
    const o = m * d;
    for (let k = 0; k < r; k++) {
      let acc = 0;
      for (let i = 0; i < d; i++) acc += h[o + i] * basis[i * r + k];
      out[m * r + k] = acc;
    }
  }
  return out;
}

/**
 * Projection magnitudes s(j, hₜ) = |h̃ₜ·vⱼ| (eq. 10) of every state onto the eigenvectors `which`
 * (indices into fit.eigenvalues, sorted by |λ|), samples × steps × which.length, flat.
 * Cost O(M·(d·r + r·|which|)).
 */
export function projectionMagnitudes(fit: KannFit, states: HiddenStates, which: number[]): Float64Array {
  const r = fit.rank;
  for (const j of which) {
    if (!Number.isInteger(j) || j < 0 || j >= r) throw new Error(`eigenvector index ${String(j)} is out of range 0…${r - 1}`);
  }
  const coef = kannCoefficients(fit, states);
  const M = states.samples * states.steps;
  const J = which.length;
  const out = new Float64Array(M * J);
  for (let m = 0; m < M; m++) {
    for (let q = 0; q < J; q++) {
      const j = which[q];
      let re = 0;
      let im = 0;
      for (let k = 0; k < r; k++) {
        const c = coef[m * r + k];
        re += c * fit.vectorsRe[k * r + j];
        im += c * fit.vectorsIm[k * r + j];
      }
      out[m * J + q] = Math.hypot(re, im);
    }
  }
  return out;
}

/**
 * KANN-evolved states (eq. 6): h^KANN_{t+1} = hₜ·B·C·Bᵀ, one step from every true state, same
 * layout as the input. Step 0 of each sample has no predecessor and is copied from the input.
 * Cost O(M·d·r + M·r²).
 */
export function kannStates(fit: KannFit, states: HiddenStates): Float64Array {
  const coef = kannCoefficients(fit, states);
  const { dim: d, rank: r, basis, C } = fit;
  const { samples: S, steps: N } = states;
  const out = new Float64Array(S * N * d);
  const next = new Float64Array(r);
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < d; i++) out[s * N * d + i] = states.data[s * N * d + i];
    for (let t = 1; t < N; t++) {
      const prev = (s * N + t - 1) * r;
      for (let b = 0; b < r; b++) {
        let acc = 0;
        for (let a = 0; a < r; a++) acc += coef[prev + a] * C[a * r + b];
        next[b] = acc;
      }
      const o = (s * N + t) * d;
      for (let i = 0; i < d; i++) {
        let acc = 0;
        for (let k = 0; k < r; k++) acc += next[k] * basis[i * r + k];
        out[o + i] = acc;
      }
    }
  }
  return out;
}

/**
 * e_rel (eq. 12): the mean over samples and steps t ∈ [from, to) of ‖h^KANN − h‖²/‖h‖²; states
 * with ‖h‖ = 0 are left out and counted in `skipped`. Cost O(samples·steps·dim).
 */
export function relativeError(
  predicted: ArrayLike<number>,
  states: HiddenStates,
  from = 1,
  to = states.steps,
): { eRel: number; count: number; skipped: number } {
  const { samples: S, steps: N, dim: d, data } = states;
  if (predicted.length !== S * N * d) throw new Error(`predicted states have ${predicted.length} values, expected ${S * N * d}`);
  if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to <= N && from < to)) {
    throw new Error(`relativeError: need integers 0 ≤ from < to ≤ ${N}; got [${from}, ${to})`);
  }
  let sum = 0;
  let count = 0;
  let skipped = 0;
  for (let s = 0; s < S; s++) {
    for (let t = from; t < to; t++) {
      const o = (s * N + t) * d;
      let num = 0;
      let den = 0;
      for (let i = 0; i < d; i++) {
        num += (predicted[o + i] - data[o + i]) ** 2;
        den += data[o + i] ** 2;
      }
      if (den === 0) {
        skipped++;
        continue;
      }
      sum += num / den;
      count++;
    }
  }
  return { eRel: count > 0 ? sum / count : NaN, count, skipped };
}

/** Share of equal decisions (the paper's accuracy agreement, Sec. 4.3). Cost O(n). */
export function agreement(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`agreement: decision lists differ in length (${a.length} vs ${b.length})`);
  if (a.length === 0) throw new Error('agreement: no decisions to compare');
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

function checkSameDim(fit: KannFit, states: HiddenStates): void {
  checkHiddenStates(states);
  if (states.dim !== fit.dim) throw new Error(`states have dimension ${states.dim}, the fit ${fit.dim}`);
}

/**
 * The real projector P = Re(V_J·(V⁻¹)_J) (r × r, row-major) onto the invariant subspace of the
 * eigenvectors J, in the row convention: h̃_J = h̃·P keeps the coordinates ĥ_J of h̃ and drops the
 * others (seed 001, Sec. 4.1: the read-out of states projected onto U₁₂ and U₃₄). J should hold
 * both members of a conjugate pair, else P is the real part of a complex projector. Throws when
 * the eigenvectors are singular. Cost O(r³).
 */
export function subspaceProjector(fit: KannFit, which: number[]): Float64Array {
  const r = fit.rank;
  for (const j of which) if (!Number.isInteger(j) || j < 0 || j >= r) throw new Error(`eigenvector index ${String(j)} is out of range 0…${r - 1}`);
  const inv = complexInverse(fit.vectorsRe, fit.vectorsIm, r);
  if (!inv) throw new Error('the eigenvectors of C are singular: no projector onto an eigen-subspace');
  const P = new Float64Array(r * r);
  for (let a = 0; a < r; a++) {
    for (let b = 0; b < r; b++) {
      let acc = 0;
      for (const j of which) acc += fit.vectorsRe[a * r + j] * inv.re[j * r + b] - fit.vectorsIm[a * r + j] * inv.im[j * r + b];
      P[a * r + b] = acc;
    }
  }
  return P;
}

/**
 * States h·B·P·Bᵀ for a projector P of {@link subspaceProjector}, same layout as the input.
 * Cost O(M·(d·r + r²)).
 */
export function projectStates(fit: KannFit, states: HiddenStates, P: Float64Array): Float64Array {
  const coef = kannCoefficients(fit, states);
  const { dim: d, rank: r, basis } = fit;
  const M = states.samples * states.steps;
  const out = new Float64Array(M * d);
  const z = new Float64Array(r);
  for (let m = 0; m < M; m++) {
    for (let b = 0; b < r; b++) {
      let acc = 0;
      for (let a = 0; a < r; a++) acc += coef[m * r + a] * P[a * r + b];
      z[b] = acc;
    }
    for (let i = 0; i < d; i++) {
      let acc = 0;
      for (let k = 0; k < r; k++) acc += z[k] * basis[i * r + k];
      out[m * d + i] = acc;
    }
  }
  return out;
}
