import { firstNonFinite } from '../linalg/finite.js';

/**
 * A tensor H ∈ R^{samples × steps × dim} of hidden-state sequences (seed 001, Sec. 3.2), flat and
 * row-major: the state of sample s at time t starts at (s·steps + t)·dim.
 */
export interface HiddenStates {
  data: ArrayLike<number>;
  samples: number;
  steps: number;
  dim: number;
}

/** Checks shape and finiteness; throws an error naming what is wrong. Cost O(samples·steps·dim). */
export function checkHiddenStates(h: HiddenStates, what = 'hidden states'): void {
  if (!h || typeof h !== 'object') throw new Error(`${what} must be { data, samples, steps, dim }`);
  for (const k of ['samples', 'steps', 'dim'] as const) {
    if (!Number.isInteger(h[k]) || h[k] < 1) throw new Error(`${what}: ${k} must be an integer ≥ 1; got ${String(h[k])}`);
  }
  const need = h.samples * h.steps * h.dim;
  if (!h.data || h.data.length !== need) {
    throw new Error(`${what}: data has ${h.data ? h.data.length : 0} values, expected samples·steps·dim = ${h.samples}·${h.steps}·${h.dim} = ${need}`);
  }
  const bad = firstNonFinite(h.data);
  if (bad >= 0) {
    const s = Math.floor(bad / (h.steps * h.dim));
    const t = Math.floor(bad / h.dim) % h.steps;
    throw new Error(`${what}: non-finite value (${h.data[bad]}) at sample ${s}, step ${t}, unit ${bad % h.dim}; refusing to fit`);
  }
}
