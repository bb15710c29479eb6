import { MIN_TOL } from '../koopman/options.js';
import { validateRankRule, type RankRule } from '../linalg/rank.js';

/** Options of {@link analyseKann} (seed 001, Sec. 3). Each default lives in {@link KANN_FIT_DEFAULTS}. */
export interface KannFitOptions {
  /**
   * Size of the truncated-SVD basis B, in the library's rank convention (PyDMD's `svd_rank`):
   * −1 = every direction above the relative floor `tol`, 0 = optimal hard threshold, 0 < r < 1 =
   * energy fraction, integer ≥ 1 = that rank. The paper's code keeps min(pairs, hidden) − 1
   * directions, i.e. nearly all of them. @default -1
   */
  rank?: RankRule;
  /**
   * Relative singular-value floor of the basis: directions with σᵢ ≤ tol·σ₁ of the state matrix
   * are dropped whatever the rank rule (the SVD comes from a double-precision Gram, which resolves
   * σᵢ/σ₁ to about 1e-8; values below 1e-8 are raised to it). @default 1e-6
   */
  tol?: number;
  /**
   * First time step whose state enters the fit (states before it are still projected and
   * predicted). Use it to skip an input prefix, e.g. for a system driven only at the start. @default 0
   */
  start?: number;
  /** One past the last time step that enters the fit; `undefined` = the sequence length. @default undefined */
  end?: number;
  /** Threshold ε of the memory horizon τⱼ(ε) = log ε / log |λⱼ| (eq. 9). @default 0.01 (the paper's) */
  epsilon?: number;
}

export interface ResolvedKannFitOptions {
  rank: RankRule;
  tol: number;
  start: number;
  end: number | undefined;
  epsilon: number;
}

export const KANN_FIT_DEFAULTS: Readonly<ResolvedKannFitOptions> = Object.freeze({
  rank: -1,
  tol: 1e-6,
  start: 0,
  end: undefined,
  epsilon: 0.01,
});

const KEYS = Object.keys(KANN_FIT_DEFAULTS);

/** Fills defaults; throws on unknown keys and bad values, naming the option and the accepted values. */
export function resolveKannFitOptions(options: KannFitOptions = {}): ResolvedKannFitOptions {
  if (options === null || typeof options !== 'object') throw new Error('KANN options must be an object');
  for (const k of Object.keys(options)) {
    if (!KEYS.includes(k)) throw new Error(`unknown KANN option '${k}'; accepted: ${KEYS.join(', ')}`);
  }
  const o: ResolvedKannFitOptions = { ...KANN_FIT_DEFAULTS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  validateRankRule(o.rank, 'rank');
  if (typeof o.tol !== 'number' || !(o.tol >= 0 && o.tol < 1)) throw new Error(`tol must be a number in [0, 1); got ${String(o.tol)}`);
  o.tol = Math.max(o.tol, MIN_TOL);
  if (!Number.isInteger(o.start) || o.start < 0) throw new Error(`start must be an integer ≥ 0 (a time step); got ${String(o.start)}`);
  if (o.end !== undefined && (!Number.isInteger(o.end) || o.end < 1)) {
    throw new Error(`end must be an integer ≥ 1 (one past the last time step) or undefined; got ${String(o.end)}`);
  }
  if (typeof o.epsilon !== 'number' || !(o.epsilon > 0 && o.epsilon < 1)) {
    throw new Error(`epsilon must be a number in (0, 1) (the memory-horizon threshold); got ${String(o.epsilon)}`);
  }
  return o;
}
