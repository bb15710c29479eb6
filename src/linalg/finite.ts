/**
 * Throws when any entry is NaN or ±Infinity. Every decomposition calls this first: the
 * JAMA-style eigen solvers loop forever on NaN.
 */
export function assertFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v - v === 0)) {
      throw new Error(`${what} contains a non-finite value (${v}) at index ${i}; refusing to decompose it`);
    }
  }
}

/** Index of the first non-finite entry, or −1. */
export function firstNonFinite(values: ArrayLike<number>, from = 0, to = values.length): number {
  for (let i = from; i < to; i++) {
    const v = values[i];
    if (!(v - v === 0)) return i;
  }
  return -1;
}
