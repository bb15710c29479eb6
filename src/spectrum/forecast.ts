import { fitKoopman } from '../koopman/fit.js';
import type { RankRule } from '../linalg/rank.js';
import { hankel } from './hankel.js';

/**
 * The Koopman forecast of a scalar series `steps` steps after its last value: the series is
 * delay-embedded (depth `delays`), fitted by a Koopman operator with a constant observable
 * (`affine: true`, so the limit the series settles at is represented exactly; eigenvalues outside
 * the unit circle pulled onto it; the given rank rule), the last snapshot evolved `steps` steps and
 * its newest coordinate returned. null with fewer than `delays + 3` values, when the fit fails or
 * the forecast is not finite. Cost: one DMD of an m × delays snapshot matrix (m = values − delays
 * + 1), O(m · delays²), and O(delays²) for any step count.
 */
export function forecastSeries(values: readonly number[], delays: number, steps: number, rank: RankRule = 0): number | null {
  const n = values.length;
  if (n < delays + 3) return null;
  if (steps === 0) return values[n - 1];
  try {
    const snapshots = hankel(values, delays);
    const op = fitKoopman(snapshots, { rank, affine: true, stabilize: true });
    const x = op.predict(snapshots[snapshots.length - 1], steps);
    const v = x[delays - 1];
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}
