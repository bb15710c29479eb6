import { thinSvd, type Matrix } from './matrix.js';

export interface LogDeterminant {
  /** log |det M| for square M; for non-square M, log √det(MᵀM) or log √det(MMᵀ) (seed 000, III.D); over the non-zero singular values only. */
  logAbs: number;
  /** Singular values counted as non-zero (σᵢ > tol·σ₁). */
  rank: number;
  /** Order of the full determinant, min(rows, cols); rank < order means the paper's "information loss" case. */
  order: number;
  /** All singular values, largest first. */
  singularValues: Float64Array;
}

/**
 * The paper's block credit in log space: log abs|M| = Σ log σᵢ over the singular values above
 * tol·σ₁ (seed 000, III.D: √det(MᵀM) for non-square M; the product of the non-zero ones when the
 * determinant is 0). Sums of logs never over- or underflow. Cost O(rows·cols·min(rows, cols)).
 */
export function logAbsDet(m: Matrix, tol = 1e-7): LogDeterminant {
  const { sigma } = thinSvd(m);
  const s1 = sigma[0] ?? 0;
  let logAbs = 0;
  let rank = 0;
  for (const s of sigma) {
    if (s > tol * s1 && s > 0) {
      logAbs += Math.log(s);
      rank++;
    }
  }
  return { logAbs, rank, order: Math.min(m.rows, m.cols), singularValues: sigma };
}
