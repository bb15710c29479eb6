import { errorToGrowth } from '../metrics/teq.js';

/**
 * How far two predictions of the same jump part, as a share of the jump: median |x − y| ÷
 * median |x − x0| over the coordinates of every group, with x the whole-window prediction, y the
 * newer-half one and x0 the state jumped from (errorToGrowth with y in the role of the Koopman
 * weights and x in that of the true ones). A group with x but no y cannot be checked and makes the
 * whole answer Infinity; groups without x (no operator: they keep their weights) are left out; a
 * non-finite ratio is Infinity too.
 */
export function predictionDisagreement(x: (ArrayLike<number> | null)[], y: (ArrayLike<number> | null)[], x0: ArrayLike<number>[]): number {
  const full: number[] = [];
  const half: number[] = [];
  const start: number[] = [];
  for (let g = 0; g < x.length; g++) {
    const xg = x[g];
    if (!xg) continue;
    const yg = y[g];
    if (!yg) return Number.POSITIVE_INFINITY;
    for (let i = 0; i < xg.length; i++) {
      full.push(xg[i]);
      half.push(yg[i]);
      start.push(x0[g][i]);
    }
  }
  const r = errorToGrowth(half, full, start);
  return Number.isFinite(r) ? r : Number.POSITIVE_INFINITY;
}
