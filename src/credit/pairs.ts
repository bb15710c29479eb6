import { rowGram, rowProduct } from '../linalg/gram.js';
import { chooseRank } from '../linalg/rank.js';
import { symmetricEigen } from '../linalg/symmetric-eigen.js';
import { firstNonFinite } from '../linalg/finite.js';
import { MIN_TOL } from '../koopman/options.js';
import { matrix, transpose, type Matrix } from './matrix.js';

export interface PairFit {
  /** K (dOut × dIn): y ≈ K x (+ offset). */
  operator: Matrix;
  /** The constant c of y ≈ K x + c (zeros unless affine). */
  offset: Float64Array;
  /** Directions of X kept (σᵢ > tol·σ₁). */
  rank: number;
  /** Singular values of the (centred) X, largest first. */
  singularValues: Float64Array;
  /** σ₁/σ_rank of X. */
  condition: number;
  /** ‖Y − (X Kᵀ + c)‖_F / ‖Y − ȳ‖_F (relative residual of the fit; 0 for an exact linear map). */
  residual: number;
}

/**
 * DMD from snapshot pairs (x_t, y_t), t = 1…m, which may come from many trajectories:
 * K = Y X⁺ through a truncated SVD of X (never (XᵀX)⁻¹). `fitKoopman` takes one chain of
 * snapshots; the step-delay embedding of a batch gives one chain per input, and pairs across
 * chains must not be joined, hence this entry. With `affine`, X and Y are centred first (the fit
 * with an intercept). The Gram matrix is formed on the shorter side of X: O(m·dIn·min(m, dIn) +
 * m·dIn·dOut); no dIn×dIn matrix when m < dIn. Rows of `x` and `y` are samples.
 */
export function fitPairs(x: Matrix, y: Matrix, options: { affine?: boolean; tol?: number } = {}): PairFit {
  const affine = options.affine ?? true;
  const tol = Math.max(options.tol ?? 1e-7, MIN_TOL);
  const m = x.rows;
  const dIn = x.cols;
  const dOut = y.cols;
  if (y.rows !== m) throw new Error(`fitPairs: ${m} inputs but ${y.rows} outputs`);
  if (m < (affine ? 2 : 1)) throw new Error(`fitPairs: needs at least ${affine ? 2 : 1} pairs; got ${m}`);
  for (const [what, a] of [['x', x], ['y', y]] as const) {
    const bad = firstNonFinite(a.data);
    if (bad >= 0) throw new Error(`fitPairs: ${what} has a non-finite value (${a.data[bad]}) in pair ${Math.floor(bad / a.cols)}`);
  }
  const xm = new Float64Array(dIn);
  const ym = new Float64Array(dOut);
  const X = matrix(m, dIn, x.data.slice());
  const Y = matrix(m, dOut, y.data.slice());
  if (affine) {
    for (let t = 0; t < m; t++) {
      for (let i = 0; i < dIn; i++) xm[i] += x.data[t * dIn + i] / m;
      for (let i = 0; i < dOut; i++) ym[i] += y.data[t * dOut + i] / m;
    }
    for (let t = 0; t < m; t++) {
      for (let i = 0; i < dIn; i++) X.data[t * dIn + i] -= xm[i];
      for (let i = 0; i < dOut; i++) Y.data[t * dOut + i] -= ym[i];
    }
  }
  const Xt = transpose(X); // dIn × m
  const Yt = transpose(Y); // dOut × m
  let K: Float64Array;
  let sigma: Float64Array;
  let rank: number;
  if (m >= dIn) {
    // XᵀX = V Σ² Vᵀ; K = (Yᵀ X) V Σ⁻² Vᵀ
    const eig = symmetricEigen(rowGram(Xt.data, dIn, m, 0, m), dIn);
    sigma = eig.values.map((v) => Math.sqrt(Math.max(v, 0)));
    rank = chooseRank(sigma, dIn, m, -1, tol).rank;
    const C = rowProduct(Yt.data, dOut, m, 0, Xt.data, dIn, m, 0, m); // dOut × dIn
    const CV = rowProduct(C, dOut, dIn, 0, eig.vectors, rank, dIn, 0, dIn); // dOut × r
    for (let i = 0; i < dOut; i++) for (let k = 0; k < rank; k++) CV[i * rank + k] /= sigma[k] * sigma[k];
    const Vt = transpose(matrix(rank, dIn, eig.vectors.slice(0, rank * dIn))); // dIn × r
    K = rowProduct(CV, dOut, rank, 0, Vt.data, dIn, rank, 0, rank);
  } else {
    // X Xᵀ = U Σ² Uᵀ; K = (Uᵀ Y)ᵀ Σ⁻² (Uᵀ X)
    const eig = symmetricEigen(rowGram(X.data, m, dIn, 0, dIn), m);
    sigma = eig.values.map((v) => Math.sqrt(Math.max(v, 0)));
    rank = chooseRank(sigma, m, dIn, -1, tol).rank;
    const Ur = eig.vectors.subarray(0, rank * m);
    const UX = rowProduct(Ur, rank, m, 0, Xt.data, dIn, m, 0, m); // r × dIn
    const UY = rowProduct(Ur, rank, m, 0, Yt.data, dOut, m, 0, m); // r × dOut
    for (let k = 0; k < rank; k++) for (let j = 0; j < dIn; j++) UX[k * dIn + j] /= sigma[k] * sigma[k];
    K = rowProduct(transpose(matrix(rank, dOut, UY)).data, dOut, rank, 0, transpose(matrix(rank, dIn, UX)).data, dIn, rank, 0, rank);
  }
  const offset = new Float64Array(dOut);
  if (affine) {
    for (let i = 0; i < dOut; i++) {
      let s = ym[i];
      for (let j = 0; j < dIn; j++) s -= K[i * dIn + j] * xm[j];
      offset[i] = s;
    }
  }
  // residual on the centred data: ‖Y − X Kᵀ‖ / ‖Y‖
  const pred = rowProduct(X.data, m, dIn, 0, K, dOut, dIn, 0, dIn); // m × dOut
  let num = 0;
  let den = 0;
  for (let i = 0; i < m * dOut; i++) {
    num += (Y.data[i] - pred[i]) ** 2;
    den += Y.data[i] ** 2;
  }
  return {
    operator: matrix(dOut, dIn, K),
    offset,
    rank,
    singularValues: sigma,
    condition: rank > 0 ? sigma[0] / sigma[rank - 1] : Infinity,
    residual: den > 0 ? Math.sqrt(num / den) : 0,
  };
}
