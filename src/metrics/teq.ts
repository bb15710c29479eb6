export interface EquivalentSteps {
  /** T_eq: optimizer steps (or epochs) after t2 that reach the Koopman loss. */
  teq: number;
  /** The series ended before reaching the Koopman loss: teq is a lower bound. */
  censored: boolean;
  /** Equivalent optimizer time: Σ_{i≤Q} τ_i + R·τ_{Q+1} (with the durations given), else NaN. */
  time: number;
}

/**
 * T_eq (seed 004, Sec. 4.1 and S4 eq. 12–13): with losses ℓ_0 (at t2), ℓ_1, ℓ_2, … of plain
 * training after t2 and the loss ℓ_KO of the Koopman-evolved weights, Q = max{i | ℓ_i > ℓ_KO},
 * R = (ℓ_Q − ℓ_KO)/(ℓ_Q − ℓ_{Q+1}), T_eq = Q + R. A Koopman loss no lower than ℓ_0 gives T_eq = 0
 * (no success); one lower than every ℓ_i gives the series length, marked censored.
 * `durations[i]` is the time of step/epoch i + 1 (τ_{i+1}).
 */
export function equivalentSteps(losses: ArrayLike<number>, lossKO: number, durations?: ArrayLike<number>): EquivalentSteps {
  if (losses.length < 1) throw new Error('equivalentSteps needs at least the loss at t2');
  if (!Number.isFinite(lossKO) || lossKO >= losses[0]) return { teq: 0, censored: false, time: 0 };
  let Q = 0;
  for (let i = 0; i < losses.length; i++) if (losses[i] > lossKO) Q = i;
  const n = losses.length - 1;
  const sumTime = (upto: number) => {
    if (!durations) return NaN;
    let s = 0;
    for (let i = 0; i < upto; i++) s += durations[i];
    return s;
  };
  if (Q === n) return { teq: n, censored: true, time: sumTime(n) };
  const R = (losses[Q] - lossKO) / (losses[Q] - losses[Q + 1]);
  const time = durations ? sumTime(Q) + R * durations[Q] : NaN;
  return { teq: Q + R, censored: false, time };
}

/** Error-to-growth (SPEC §4): median |w_KO − w(t2+T)| ÷ median |w(t2+T) − w(t2)|. */
export function errorToGrowth(wKO: ArrayLike<number>, wTrue: ArrayLike<number>, wT2: ArrayLike<number>): number {
  const err = new Float64Array(wKO.length);
  const grow = new Float64Array(wKO.length);
  for (let i = 0; i < wKO.length; i++) {
    err[i] = Math.abs(wKO[i] - wTrue[i]);
    grow[i] = Math.abs(wTrue[i] - wT2[i]);
  }
  return median(err) / median(grow);
}

/**
 * The one median of the project (experiments use it too): the middle value, or the mean of the
 * two middle values; NaN for no values. NaN entries sort last (typed-array order), so callers that
 * mean "over the defined values" filter them first. O(n log n) in the n values; copies them.
 */
export function median(values: ArrayLike<number>): number {
  const s = Float64Array.from(values).sort();
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}
