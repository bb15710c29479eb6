import { fitPairs as fitEnginePairs, pairsOperator } from '../koopman/pairs.js';
import { matrix, type Matrix } from './matrix.js';

export interface PairFit {
  /** K (dOut × dIn): y ≈ K x (+ offset). */
  operator: Matrix;
  /** The constant c of y ≈ K x + c (zeros unless affine). */
  offset: Float64Array;
  /** Directions of X kept (σᵢ > tol·σ₁). */
  rank: number;
  /** Singular values of the (centred) X, largest first (min(m, dIn) of them). */
  singularValues: Float64Array;
  /** σ₁/σ_rank of X. */
  condition: number;
  /** ‖Y − (X Kᵀ + c)‖_F / ‖Y − ȳ‖_F (relative residual of the fit; 0 for an exact linear map). */
  residual: number;
}

/**
 * DMD from snapshot pairs (x_t, y_t), t = 1…m, which may come from many trajectories: the
 * engine's pairs fit (`fitPairs` in src/koopman/pairs.ts, one thin SVD of X, full rank above the
 * relative floor `tol`), with the dense operator formed for the credit's determinants. With
 * `affine`, X and Y are centred first (the fit with an intercept). Rows of `x` and `y` are samples.
 * Cost O(m·dIn·min(m, dIn)) for the SVD + O(m·dOut·r) for the factors + dOut·dIn·r for dense K.
 */
export function fitPairs(x: Matrix, y: Matrix, options: { affine?: boolean; tol?: number } = {}): PairFit {
  const fit = fitEnginePairs(x, y, { center: options.affine ?? true, tol: options.tol ?? 1e-7, rank: -1 });
  return {
    operator: matrix(y.cols, x.cols, pairsOperator(fit)),
    offset: fit.offset,
    rank: fit.rank,
    singularValues: fit.singularValues,
    condition: fit.condition,
    residual: fit.residual,
  };
}
