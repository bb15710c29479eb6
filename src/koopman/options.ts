import { validateRankRule, type RankRule } from '../linalg/rank.js';

/** Options of every Koopman/DMD fit. Each default lives in {@link DEFAULT_FIT_OPTIONS}. */
export interface FitOptions {
  /**
   * Rank rule (PyDMD's `svd_rank`): 0 = optimal hard threshold, 0 < r < 1 = energy fraction,
   * integer ≥ 1 = that rank, −1 = full. @default 0
   */
  rank?: RankRule;
  /** Relative Tikhonov regularisation: σ⁻¹ becomes σ/(σ² + (ridge·σ₁)²). @default 0 */
  ridge?: number;
  /**
   * Add a constant observable, i.e. fit x(t+1) = A x(t) + c (least squares with intercept), so a
   * drift x = a + b·t is represented exactly. @default false
   */
  affine?: boolean;
  /** Pull eigenvalues with |λ| > 1 back onto the unit circle (λ/|λ|). @default false */
  stabilize?: boolean;
  /** Scale every snapshot column to unit norm before the fit (LAPACK xGEDMD JOBS='S'). @default false */
  scale?: boolean;
  /**
   * Relative singular-value floor: directions with σᵢ ≤ tol·σ₁ are dropped whatever the rank rule.
   * The thin SVD (QR of the tall side, then Jacobi) resolves σᵢ/σ₁ to about 1e-15 in double
   * precision, so values below {@link MIN_TOL} (1e-14) are raised to it. Float32 snapshots carry only
   * about 7 digits: below ≈ 1e-7 a direction is mostly rounding noise. @default 1e-7
   */
  tol?: number;
}

export type ResolvedFitOptions = Required<FitOptions>;

export const DEFAULT_FIT_OPTIONS: ResolvedFitOptions = Object.freeze({
  rank: 0,
  ridge: 0,
  affine: false,
  stabilize: false,
  scale: false,
  tol: 1e-7,
});

/** Smallest relative floor the QR-based thin SVD honours (≈ 100 ε). */
export const MIN_TOL = 1e-14;

/** Fills defaults and throws errors that name the option and the accepted values. */
export function resolveFitOptions(options: FitOptions = {}): ResolvedFitOptions {
  const o = { ...DEFAULT_FIT_OPTIONS, ...stripUndefined(options) };
  validateRankRule(o.rank, 'rank');
  if (typeof o.ridge !== 'number' || !Number.isFinite(o.ridge) || o.ridge < 0) {
    throw new Error(`ridge must be a finite number ≥ 0 (relative to σ₁); got ${String(o.ridge)}`);
  }
  for (const key of ['affine', 'stabilize', 'scale'] as const) {
    if (typeof o[key] !== 'boolean') throw new Error(`${key} must be true or false; got ${String(o[key])}`);
  }
  if (typeof o.tol !== 'number' || !(o.tol >= 0 && o.tol < 1)) {
    throw new Error(`tol must be a number in [0, 1); got ${String(o.tol)}`);
  }
  o.tol = Math.max(o.tol, MIN_TOL);
  return o;
}

/**
 * Fewest snapshots the rank rule can work with: a fixed rank k needs k snapshot pairs, the full
 * rank needs as many pairs as the dimension (one more with `affine`, which spends one on the mean).
 */
export function minSnapshots(dim: number, options: ResolvedFitOptions): number {
  const extra = options.affine ? 1 : 0;
  if (options.rank === -1) return dim + 1 + extra;
  if (options.rank >= 1) return options.rank + 1 + extra;
  return 2 + extra;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
