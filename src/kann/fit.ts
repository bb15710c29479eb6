import { cabs, type Complex } from '../linalg/complex.js';
import { eigen } from '../linalg/eigen.js';
import { chooseRank } from '../linalg/rank.js';
import { thinSvd } from '../linalg/svd.js';
import { fitPairs, pairsOperator } from '../koopman/pairs.js';
import { resolveKannFitOptions, type KannFitOptions, type ResolvedKannFitOptions } from './options.js';
import { checkHiddenStates, type HiddenStates } from './states.js';

/**
 * The KANN operator of a set of hidden-state sequences (seed 001, Sec. 3.2–3.4), in the paper's
 * row convention: coefficients h̃ₜ = hₜ·B and h̃ₜ₊₁ ≈ h̃ₜ·C, C·vⱼ = λⱼ·vⱼ.
 */
export interface KannFit {
  dim: number;
  /** Columns of B (the basis size r). */
  rank: number;
  /** How the rank was chosen, in words. */
  rankRule: string;
  /** Singular values of the state matrix (all `dim`, largest first). */
  singularValues: Float64Array;
  /** B (dim × r, row-major): the leading right singular vectors of the stacked states, orthonormal columns. */
  basis: Float64Array;
  /** C (r × r, row-major), the least-squares solution of eq. (4). */
  C: Float64Array;
  /** Eigenvalues of C sorted by |λ|, largest first (a conjugate pair: +im first). */
  eigenvalues: Complex[];
  /** Eigenvectors of C in the same order: column j of the r × r arrays (re, im) is vⱼ, unit 2-norm. */
  vectorsRe: Float64Array;
  vectorsIm: Float64Array;
  /** State pairs (hₜ, hₜ₊₁) the fit used: samples · (steps in range − 1). */
  pairs: number;
  /** σ₁/σ_r of the coefficient matrix H̃ₜ of the pairs (the conditioning of eq. 4). */
  condition: number;
  /** Directions of H̃ₜ dropped by the relative floor when solving eq. (4) (0 = full-rank solve). */
  droppedInSolve: number;
  /** ‖H̃ₜ·C − H̃ₜ₊₁‖_F / ‖H̃ₜ₊₁‖_F over the pairs: the linear fit's own residual in coefficient space. */
  residual: number;
  /** ‖H − H·B·Bᵀ‖_F / ‖H‖_F over the fitted steps: what the truncated basis loses. */
  basisError: number;
  /** Time range [start, end) of the fit. */
  start: number;
  end: number;
  options: ResolvedKannFitOptions;
}

/**
 * Fits KANN's Koopman matrix C to hidden states H (samples × steps × dim) in two steps (Sec. 3.2):
 * 1. the truncated-SVD basis B of the states stacked over samples and time (uncentred, as
 *    sklearn's TruncatedSVD in the authors' code), from the engine's thinSvd (QR + Jacobi),
 *    with the library's rank rule;
 * 2. C = argmin Σₜ ‖H̃ₜ·C − H̃ₜ₊₁‖²_F over every consecutive pair inside each sequence (pairs never
 *    cross samples), solved by the engine's pairs fit (`fitPairs`, thinSvd of H̃ₜ, pseudo-inverse
 *    with the relative floor, never an explicit inverse of H̃ₜᵀH̃ₜ).
 *
 * Cost, with M = samples·steps states of dimension d and basis size r ≤ d: O(M·d·min(M, d)) for the
 * thin SVD (QR of the tall side, then Jacobi on a min(M, d)² factor; no d × d matrix when M < d),
 * O(M·d·r) for the coefficients, O(M·r²) for eq. (4) and O(r³) for the eigenvalues of C.
 */
export function fitKann(states: HiddenStates, options: KannFitOptions = {}): KannFit {
  const o = resolveKannFitOptions(options);
  checkHiddenStates(states);
  const { samples: S, steps: N, dim: d, data } = states;
  const end = o.end ?? N;
  if (end > N) throw new Error(`end ${end} is past the sequence length ${N}`);
  const start = o.start;
  const len = end - start;
  if (len < 2) {
    throw new Error(`too few time steps: the fit needs at least 2 steps in [start, end) = [${start}, ${end}); got ${Math.max(len, 0)}`);
  }
  const pairs = S * (len - 1);
  if (o.rank >= 1) {
    if (o.rank > d) throw new Error(`rank ${o.rank} exceeds the hidden dimension ${d}`);
    if (pairs < o.rank) {
      throw new Error(
        `too few time steps for rank ${o.rank}: C needs at least ${o.rank} state pairs, got samples·(steps − 1) = ${S}·${len - 1} = ${pairs}`,
      );
    }
  }
  const M = S * len;
  // Step 1: basis. The stacked state matrix H (M × d), one state per row, as d columns too.
  const rowsH = new Float64Array(M * d);
  const cols = new Float64Array(d * M);
  let row = 0;
  for (let s = 0; s < S; s++) {
    for (let t = start; t < end; t++, row++) {
      const off = (s * N + t) * d;
      for (let i = 0; i < d; i++) {
        rowsH[row * d + i] = data[off + i];
        cols[i * M + row] = data[off + i];
      }
    }
  }
  const { sigma, vectors, energy, total, choice } = stateSvd(rowsH, M, d, o.rank, o.tol);
  let r = choice.rank;
  let rankRule = choice.rule;
  if (r > pairs) {
    rankRule += `, cut to ${pairs} by the number of state pairs`;
    r = pairs;
  }
  if (r < 1) throw new Error('the hidden states are all zero: no basis to fit C in');
  const basis = new Float64Array(d * r);
  for (let k = 0; k < r; k++) for (let i = 0; i < d; i++) basis[i * r + k] = vectors[k * d + i];

  // Coefficients of every fitted state, H̃ (M × r), kept as r rows of length M.
  const coef = new Float64Array(r * M);
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < r; k++) {
      let acc = 0;
      for (let i = 0; i < d; i++) acc += cols[i * M + m] * basis[i * r + k];
      coef[k * M + m] = acc;
    }
  }
  let lost = 0;
  for (let k = 0; k < r; k++) lost += energy[k];
  const basisError = total > 0 ? Math.sqrt(Math.max(total - lost, 0) / total) : 0;

  // Step 2: X = H̃ₜ, Y = H̃ₜ₊₁ over the pairs (P × r), as r rows of length P.
  const P = pairs;
  const X = new Float64Array(r * P);
  const Y = new Float64Array(r * P);
  for (let k = 0; k < r; k++) {
    let p = 0;
    for (let s = 0; s < S; s++) {
      const base = k * M + s * len;
      for (let t = 0; t < len - 1; t++, p++) {
        X[k * P + p] = coef[base + t];
        Y[k * P + p] = coef[base + t + 1];
      }
    }
  }
  const solve = leastSquares(X, Y, r, P, o.tol);
  const ev = eigen(solve.C, r);
  const order = ev.values
    .map((_, k) => k)
    .sort((a, b) => cabs(ev.values[b]) - cabs(ev.values[a]) || ev.values[b].im - ev.values[a].im);
  const vectorsRe = new Float64Array(r * r);
  const vectorsIm = new Float64Array(r * r);
  for (let j = 0; j < r; j++) {
    const k = order[j];
    for (let i = 0; i < r; i++) {
      vectorsRe[i * r + j] = ev.re[i * r + k];
      vectorsIm[i * r + j] = ev.im[i * r + k];
    }
  }
  return {
    dim: d,
    rank: r,
    rankRule,
    singularValues: sigma,
    basis,
    C: solve.C,
    eigenvalues: order.map((k) => ev.values[k]),
    vectorsRe,
    vectorsIm,
    pairs,
    condition: solve.condition,
    droppedInSolve: solve.dropped,
    residual: solve.residual,
    basisError,
    start,
    end,
    options: o,
  };
}

/**
 * Thin SVD of the M × d state matrix H (rows of length d) through the engine's `thinSvd`
 * (Householder QR of the tall side + Jacobi; no Gram, so σ is not squared): singular values
 * (d of them, largest first, zeros past min(M, d)), the right singular vectors the rank rule keeps
 * as rows of length d, σ² and the total energy ‖H‖²_F. Cost O(M·d·min(M, d)); never a d × d
 * matrix when M < d.
 */
function stateSvd(rows: Float64Array, M: number, d: number, rule: number, tol: number) {
  let total = 0;
  for (let i = 0; i < M * d; i++) total += rows[i] * rows[i];
  const sigma = new Float64Array(d);
  const svd = thinSvd(rows, M, d, 0, d, {
    rank: (values) => {
      sigma.set(values);
      return chooseRank(sigma, d, M, rule, tol).rank;
    },
  });
  sigma.set(svd.values);
  const energy = sigma.map((x) => x * x);
  const choice = chooseRank(sigma, d, M, rule, tol);
  if (svd.rank < choice.rank) {
    choice.rule += `, cut to ${svd.rank} (exact zeros)`;
    choice.rank = svd.rank;
  }
  return { sigma, vectors: svd.v, energy, total, choice };
}

/**
 * min ‖X·C − Y‖_F for X, Y of P rows and r columns, given as r rows of length P (column-major
 * views of X and Y), by the engine's pairs fit (`fitPairs`: one thinSvd of X, directions
 * σᵢ ≤ tol·σ₁ dropped, C = Kᵀ of y ≈ K x). Cost O(P·r²) for the SVD + O(P·r²) for the factors.
 */
function leastSquares(X: Float64Array, Y: Float64Array, r: number, P: number, tol: number) {
  const x = new Float64Array(P * r);
  const y = new Float64Array(P * r);
  for (let a = 0; a < r; a++) {
    for (let p = 0; p < P; p++) {
      x[p * r + a] = X[a * P + p];
      y[p * r + a] = Y[a * P + p];
    }
  }
  const fit = fitPairs({ data: x, rows: P, cols: r }, { data: y, rows: P, cols: r }, { rank: -1, tol });
  const K = pairsOperator(fit); // r × r, y ≈ K x
  const C = new Float64Array(r * r);
  for (let a = 0; a < r; a++) for (let b = 0; b < r; b++) C[a * r + b] = K[b * r + a];
  return { C, condition: fit.condition, dropped: r - fit.rank, residual: fit.residual };
}
