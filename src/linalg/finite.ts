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

/** A number as plain JSON keeps it: NaN and ±Infinity as strings (JSON.stringify would write null). */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export function toJsonNumber(x: number): JsonNumber {
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

/** Reads a {@link JsonNumber} back; anything else is an error naming `what`. */
export function fromJsonNumber(x: unknown, what: string): number {
  if (typeof x === 'number') return x;
  if (x === 'NaN') return NaN;
  if (x === 'Infinity') return Infinity;
  if (x === '-Infinity') return -Infinity;
  throw new Error(`loadStateDict: ${what} must be a number or 'NaN', 'Infinity', '-Infinity'; got ${JSON.stringify(x)}`);
}
