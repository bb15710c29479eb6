/**
 * Delay embedding of a scalar series: snapshot t is [x(t), x(t+1), …, x(t+delays−1)], so a series
 * Σₖ cₖ λₖᵗ with at most `delays` distinct λₖ becomes an exactly linear sequence of snapshots whose
 * DMD eigenvalues are the λₖ (the Hankel / delay-coordinate DMD of seed 003's loss observable).
 * Returns `series.length − delays + 1` snapshots, oldest first.
 */
export function hankel(series: ArrayLike<number>, delays: number): Float64Array[] {
  if (!Number.isInteger(delays) || delays < 1) {
    throw new Error(`delays must be an integer ≥ 1; got ${String(delays)}`);
  }
  const count = series.length - delays + 1;
  if (count < 1) {
    throw new Error(`hankel: a series of ${series.length} values is shorter than delays = ${delays}`);
  }
  const out: Float64Array[] = [];
  for (let t = 0; t < count; t++) {
    const s = new Float64Array(delays);
    for (let j = 0; j < delays; j++) s[j] = series[t + j];
    out.push(s);
  }
  return out;
}
