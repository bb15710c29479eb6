/**
 * The race's yardstick, shared by the studies that time methods to the same loss: the target a
 * plain run sets (the mean of its last evaluations) and where a loss curve first reaches it.
 */

/** The target loss a reference run sets: the mean of its last `last` evaluations. O(last). */
export function targetLoss(loss: readonly number[], last = 3): number {
  if (!Number.isInteger(last) || last < 1) throw new Error(`targetLoss: last must be an integer ≥ 1; got ${String(last)}`);
  if (loss.length === 0) throw new Error('targetLoss: the loss curve is empty');
  const tail = loss.slice(-last);
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

/**
 * Where a loss curve first reaches `target` (loss ≤ target), linearly interpolated between the
 * evaluation before and the first one at or below it, in the unit of `at` (seconds, steps);
 * NaN when it never does. Index 0 is the start (before training) and counts only through the
 * interpolation. O(n) for n evaluations.
 */
export function timeToTarget(loss: readonly number[], at: readonly number[], target: number): number {
  if (loss.length !== at.length) throw new Error(`timeToTarget: ${loss.length} losses but ${at.length} times`);
  for (let e = 1; e < loss.length; e++) {
    if (loss[e] <= target) {
      const a = loss[e - 1];
      const b = loss[e];
      const f = a <= target ? 0 : (a - target) / (a - b);
      return at[e - 1] + f * (at[e] - at[e - 1]);
    }
  }
  return NaN;
}
