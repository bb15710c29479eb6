import { validateRankRule, type RankRule } from '../../src/linalg/rank.js';

/** Options of {@link dmdLayer}. Every default lives in {@link DMD_LAYER_DEFAULTS}. */
export interface DmdLayerOptions {
  /**
   * Delay coordinates d: the replaced layer sees the d newest states of the forward trajectory
   * before it, [h_{ℓ−1}; h_{ℓ−2}; …; h_{ℓ−d}] (h₀ is the model input). At most ℓ for the ℓ-th
   * layer of the chain. d = 1 is a plain linear replacement of the layer. With rank −1 the regressors
   * of d + 1 delays contain those of d, so more delays never raise the error on the fitting data. @default 1
   */
  delays?: number;
  /**
   * Rank rule of the DMD (PyDMD's `svd_rank`, as everywhere in the library): −1 = every direction
   * above the floor `tol` (the least-squares operator), 0 = optimal hard threshold, 0 < r < 1 =
   * energy fraction, integer ≥ 1 = that rank. Full rank by default because the trajectories are
   * exact activations, not noisy measurements. @default -1
   */
  rank?: RankRule;
  /** Fit an intercept (the replacing Dense layer's bias): h_ℓ ≈ A ψ + c. @default true */
  affine?: boolean;
  /** Relative singular-value floor σᵢ ≤ tol·σ₁ (raised to 1e-8). @default 1e-7 */
  tol?: number;
  /** Samples pushed through the model per predict() call when collecting trajectories. @default 1024 */
  batchSize?: number;
}

export type ResolvedDmdLayerOptions = Required<DmdLayerOptions>;

export const DMD_LAYER_DEFAULTS: ResolvedDmdLayerOptions = Object.freeze({
  delays: 1,
  rank: -1,
  affine: true,
  tol: 1e-7,
  batchSize: 1024,
});

const KEYS = Object.keys(DMD_LAYER_DEFAULTS);

/** Fills defaults; rejects unknown keys and bad values with errors naming the option. */
export function resolveDmdLayerOptions(options: DmdLayerOptions = {}): ResolvedDmdLayerOptions {
  if (options === null || typeof options !== 'object') throw new Error('dmdLayer options must be an object');
  for (const key of Object.keys(options)) {
    if (!KEYS.includes(key)) throw new Error(`dmdLayer: unknown option '${key}' (accepted: ${KEYS.join(', ')})`);
  }
  const o: ResolvedDmdLayerOptions = { ...DMD_LAYER_DEFAULTS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  if (!Number.isInteger(o.delays) || o.delays < 1) throw new Error(`delays must be an integer ≥ 1; got ${String(o.delays)}`);
  validateRankRule(o.rank, 'rank');
  if (typeof o.affine !== 'boolean') throw new Error(`affine must be true or false; got ${String(o.affine)}`);
  if (typeof o.tol !== 'number' || !(o.tol >= 0 && o.tol < 1)) throw new Error(`tol must be a number in [0, 1); got ${String(o.tol)}`);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new Error(`batchSize must be an integer ≥ 1; got ${String(o.batchSize)}`);
  return o;
}
