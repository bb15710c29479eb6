/**
 * The rank rule shared by every fit in the library (PyDMD's `svd_rank` convention):
 * - `0`: the optimal hard threshold of Gavish & Donoho (2014) for unknown noise, on a matrix of
 *   `rows` varying coordinates (constant coordinates are not counted);
 * - `0 < rank < 1`: the smallest rank whose singular values hold that fraction of the energy Σσ²;
 * - an integer ≥ 1: exactly that rank;
 * - `-1`: every direction above the numerical floor.
 */
export type RankRule = number;

export interface RankChoice {
  rank: number;
  /** Why this rank: the rule that chose it, and whether the numerical floor cut it further. */
  rule: string;
}

/** Checks a rank option and throws an error naming the accepted values. */
export function validateRankRule(rank: unknown, option = 'rank'): asserts rank is RankRule {
  const ok =
    typeof rank === 'number' &&
    Number.isFinite(rank) &&
    (rank === -1 || rank === 0 || (rank > 0 && rank < 1) || (rank >= 1 && Number.isInteger(rank)));
  if (!ok) {
    throw new Error(
      `${option} must be -1 (full), 0 (optimal hard threshold), a fraction 0 < r < 1 (energy) or an integer ≥ 1; got ${String(rank)}`,
    );
  }
}

/** ω(β) ≈ λ*(β)/√μ_β, the Gavish–Donoho coefficient for unknown noise level. */
export function gavishDonohoOmega(beta: number): number {
  return 0.56 * beta ** 3 - 0.95 * beta ** 2 + 1.82 * beta + 1.43;
}

/**
 * Picks the rank from singular values sorted largest first. `floor` is the relative cut-off
 * below which a direction is numerically indistinguishable from zero (σᵢ ≤ floor·σ₁); no rule
 * may keep such a direction.
 */
export function chooseRank(
  sigma: ArrayLike<number>,
  rows: number,
  cols: number,
  rule: RankRule,
  floor: number,
): RankChoice {
  validateRankRule(rule);
  const n = sigma.length;
  const s1 = n > 0 ? sigma[0] : 0;
  let numerical = 0;
  while (numerical < n && sigma[numerical] > floor * s1 && sigma[numerical] > 0) numerical++;
  let wanted: number;
  let rule_: string;
  if (rule === -1) {
    wanted = n;
    rule_ = 'full';
  } else if (rule === 0) {
    // `rows` counts the coordinates that vary: the caller leaves out constant ones (weights that
    // never move), whose exact-zero singular values would drag the median to zero.
    const m = Math.max(1, Math.min(rows, cols, n));
    const beta = Math.min(rows, cols) / Math.max(rows, cols);
    const sorted = Array.from(sigma).slice(0, m).sort((p, q) => p - q);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
    const tau = gavishDonohoOmega(beta) * median;
    wanted = 0;
    while (wanted < n && sigma[wanted] > tau) wanted++;
    wanted = Math.max(wanted, 1);
    rule_ = `optimal hard threshold (τ = ${tau.toExponential(3)})`;
  } else if (rule < 1) {
    let total = 0;
    for (let i = 0; i < n; i++) total += sigma[i] * sigma[i];
    let acc = 0;
    wanted = 0;
    while (wanted < n && acc < rule * total) {
      acc += sigma[wanted] * sigma[wanted];
      wanted++;
    }
    wanted = Math.max(wanted, 1);
    rule_ = `energy ${rule}`;
  } else {
    wanted = Math.min(rule, n);
    rule_ = `fixed ${rule}`;
  }
  if (wanted > numerical) {
    return { rank: numerical, rule: `${rule_}, cut to ${numerical} by the relative floor ${floor.toExponential(1)}` };
  }
  return { rank: wanted, rule: rule_ };
}
