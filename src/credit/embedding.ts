import { firstNonFinite } from '../linalg/finite.js';
import type { Alignment } from './alignment.js';
import { matrix, type Matrix } from './matrix.js';

/** A block's map on a batch: `count` rows of `inDim` values in, `count` rows of `outDim` out (row-major). */
export type BatchMap = (batch: Float64Array, count: number) => Float64Array;

/** Seed 000, III.C: 2d + 1 snapshots (2d steps) with d the smallest layer dimension in the block. */
export function embeddingSteps(dims: number[]): number {
  if (dims.length === 0) throw new Error('embeddingSteps: no dimensions');
  return 2 * Math.min(...dims);
}

/**
 * Fewest inputs whose trajectories can determine the block operator exactly for a generic map:
 * E2E 1 (one trajectory of 2d ≥ n steps spans the space); L2S in − out (after the first step the
 * state lies in the out-dimensional range of A, so the starting points must span the rest);
 * S2L in (K = K̃ A needs K̃ on the in-dimensional range of A, which only the starting points A·x span).
 */
export function minimumInputs(inDim: number, outDim: number): number {
  if (inDim === outDim) return 1;
  return inDim > outDim ? inDim - outDim : inDim;
}

export interface Embedding {
  /** Snapshot pairs: state y(k) (rows) and y(k + 1), all inputs, all steps. */
  x: Matrix;
  y: Matrix;
  steps: number;
  /** Largest ‖y(k)‖ / ‖y(0)‖ over the run (RMS over inputs): growth or decay of the iteration. */
  growth: number;
  /** Smallest ‖y(k)‖ / ‖y(0)‖. */
  decay: number;
}

/**
 * The step-delay embedding of an aligned block (seed 000, III.C, Fig. 3): from each input x,
 * iterate the E2E map f̃ for `steps` steps and collect the pairs (y(k), y(k + 1)). L2S: y(0) = x,
 * f̃ = A∘f; S2L: y(0) = A x (so B y(0) = x), f̃ = f∘B; E2E: f̃ = f. Throws, naming the step, when
 * the iteration leaves the finite numbers. With `renormalize`, the state fed back is each output
 * rescaled to the norm of its own y(0), so the iterates stay at the scale of the data instead of
 * exploding or collapsing (every pair is still an exact input–output pair of f̃; not in the paper).
 * Cost: `steps` batch calls of f plus
 * O(steps · count · small · large) for the alignment products; memory 2·steps·count·n doubles.
 */
export function stepDelayEmbedding(
  f: BatchMap,
  inputs: Float64Array,
  count: number,
  inDim: number,
  outDim: number,
  alignment: Alignment,
  steps: number,
  label = 'block',
  renormalize = false,
): Embedding {
  if (inputs.length !== count * inDim) throw new Error(`${label}: inputs must be ${count}×${inDim}; got ${inputs.length} values`);
  const type = alignment.type;
  const n = type === 'S2L' ? outDim : inDim;
  const { a, b } = alignment;
  // y(0)
  let y = type === 'S2L' ? applyRows(inputs, count, a) : inputs.slice();
  const x = new Float64Array(steps * count * n);
  const yNext = new Float64Array(steps * count * n);
  const norm0 = rms(y);
  const rowNorm0 = rowNorms(y, count, n);
  let growth = 1;
  let decay = 1;
  for (let k = 0; k < steps; k++) {
    x.set(y, k * count * n);
    const arg = type === 'S2L' ? applyRows(y, count, b) : y;
    const out = f(arg, count);
    if (out.length !== count * outDim) throw new Error(`${label}: the block returned ${out.length} values for ${count}×${outDim}`);
    const next = type === 'L2S' ? applyRows(out, count, a) : out;
    const bad = firstNonFinite(next);
    if (bad >= 0) {
      throw new Error(
        `${label}: the step-delay iteration became non-finite at step ${k + 1} of ${steps} (${next[bad]}; ` +
          `state grew ${growth.toExponential(2)}× before); the block's iteration diverges`,
      );
    }
    yNext.set(next, k * count * n);
    const r = norm0 > 0 ? rms(next) / norm0 : 1;
    growth = Math.max(growth, r);
    decay = Math.min(decay, r);
    y = renormalize ? rescaleRows(next, count, n, rowNorm0) : next;
  }
  return { x: matrix(steps * count, n, x), y: matrix(steps * count, n, yNext), steps, growth, decay };
}

/** Rows times Mᵀ: each of `count` rows v (length M.cols) becomes M v (length M.rows). */
export function applyRows(rows: Float64Array, count: number, m: { rows: number; cols: number; data: Float64Array }): Float64Array {
  const out = new Float64Array(count * m.rows);
  const { rows: r, cols: c, data } = m;
  for (let s = 0; s < count; s++) {
    const o = s * c;
    for (let i = 0; i < r; i++) {
      let acc = 0;
      const oi = i * c;
      for (let j = 0; j < c; j++) acc += data[oi + j] * rows[o + j];
      out[s * r + i] = acc;
    }
  }
  return out;
}

function rowNorms(v: Float64Array, count: number, n: number): Float64Array {
  const out = new Float64Array(count);
  for (let s = 0; s < count; s++) {
    let acc = 0;
    for (let j = 0; j < n; j++) acc += v[s * n + j] ** 2;
    out[s] = Math.sqrt(acc);
  }
  return out;
}

/** Each row scaled to the given norm (rows of norm 0 stay 0). */
function rescaleRows(v: Float64Array, count: number, n: number, norms: Float64Array): Float64Array {
  const now = rowNorms(v, count, n);
  const out = new Float64Array(v.length);
  for (let s = 0; s < count; s++) {
    const f = now[s] > 0 ? norms[s] / now[s] : 0;
    for (let j = 0; j < n; j++) out[s * n + j] = v[s * n + j] * f;
  }
  return out;
}

function rms(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s / Math.max(v.length, 1));
}
