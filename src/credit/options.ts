/** Options of {@link assignCredit}. Each default lives in {@link CREDIT_DEFAULTS}. */
export interface CreditOptions {
  /** Alignment draws per block whose operators are averaged (seed 000, IV.A: 10). @default 10 */
  repeats?: number;
  /**
   * Coordinates kept at each block boundary: an integer r keeps the r leading principal directions
   * of the activations on the inputs (the PCA reduction of the paper's remark in III.D, needed for
   * layers of thousands of units); 'all' keeps every coordinate, uncentred (exact linear operators). @default 32
   */
  components?: number | 'all';
  /** Fit y ≈ K x + c with an intercept (blocks have biases). @default true */
  affine?: boolean;
  /** Relative singular-value floor of the fits, the determinants and the PCA (σᵢ ≤ tol·σ₁ counts as 0). @default 1e-7 */
  tol?: number;
  /** Step-delay steps: 'paper' = 2d with d the smallest layer dimension of the (reduced) block, or a fixed integer. @default 'paper' */
  steps?: 'paper' | number;
  /**
   * Feed back each iterate rescaled to the norm of its starting point (in the boundary's centred
   * coordinates), so the 2d-step iteration of an expanding or contracting block stays at the data's
   * scale; every snapshot pair is still an exact input–output pair of the block. false = the
   * paper's plain iteration, which on trained ReLU conv blocks grew by 1e17–1e27 in 64 steps and
   * left fits of rank 2–4 (measured, results/credit). @default true
   */
  renormalize?: boolean;
  /** Alignment draws allowed per repeat before the rank check gives up. @default 10 */
  maxDraws?: number;
  /** Rank check of Theorem 4: a draw B passes when σ_min(B) > rankTol·σ₁(B). @default 1e-6 */
  rankTol?: number;
}

export type ResolvedCreditOptions = Required<CreditOptions>;

export const CREDIT_DEFAULTS: ResolvedCreditOptions = Object.freeze({
  repeats: 10,
  components: 32,
  affine: true,
  tol: 1e-7,
  steps: 'paper',
  renormalize: true,
  maxDraws: 10,
  rankTol: 1e-6,
});

/** Fills defaults; rejects unknown keys and bad values with an error naming the option. */
export function resolveCreditOptions(options: CreditOptions = {}, known: readonly string[] = []): ResolvedCreditOptions {
  for (const key of Object.keys(options)) {
    if (!(key in CREDIT_DEFAULTS) && !known.includes(key)) {
      throw new Error(`unknown credit option '${key}'; known options: ${[...Object.keys(CREDIT_DEFAULTS), ...known].join(', ')}`);
    }
  }
  const o = { ...CREDIT_DEFAULTS } as ResolvedCreditOptions;
  for (const [k, v] of Object.entries(options)) if (v !== undefined && k in CREDIT_DEFAULTS) (o as unknown as Record<string, unknown>)[k] = v;
  const posInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 1;
  if (!posInt(o.repeats)) throw new Error(`repeats must be an integer ≥ 1; got ${String(o.repeats)}`);
  if (o.components !== 'all' && !posInt(o.components)) throw new Error(`components must be an integer ≥ 1 or 'all'; got ${String(o.components)}`);
  if (typeof o.renormalize !== 'boolean') throw new Error(`renormalize must be true or false; got ${String(o.renormalize)}`);
  if (typeof o.affine !== 'boolean') throw new Error(`affine must be true or false; got ${String(o.affine)}`);
  if (typeof o.tol !== 'number' || !(o.tol > 0 && o.tol < 1)) throw new Error(`tol must be a number in (0, 1); got ${String(o.tol)}`);
  if (o.steps !== 'paper' && !posInt(o.steps)) throw new Error(`steps must be 'paper' or an integer ≥ 1; got ${String(o.steps)}`);
  if (!posInt(o.maxDraws)) throw new Error(`maxDraws must be an integer ≥ 1; got ${String(o.maxDraws)}`);
  if (typeof o.rankTol !== 'number' || !(o.rankTol > 0 && o.rankTol < 1)) throw new Error(`rankTol must be a number in (0, 1); got ${String(o.rankTol)}`);
  return o;
}
