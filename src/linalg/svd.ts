import { firstNonFinite } from './finite.js';
import { kernelName, kernelsFor, type KernelChoice } from './kernels/select.js';
import { upperFactor } from './qr.js';
import { randomizedSvd } from './randomized-svd.js'; // which imports only types from here
import { SvdWorkspace } from './workspace.js';

/**
 * The one thin-SVD door of the library: X = U Σ Vᵀ of a row-major d × m matrix given as
 * (x, d, stride, offset, m) — row i is x[i·stride + offset … + m), the layout of `rowGram`.
 *
 * Routes:
 * - `'qr'` (exact): Householder QR of the tall side (X when d ≥ m, else Xᵀ, whose columns are
 *   the rows of X; exactly-zero rows left out), two reflectors per pass ({@link pairedQr}); then
 *   one-sided Jacobi on the small triangular factor R, its rows first rotated by the
 *   eigenvectors of R Rᵀ so that Jacobi only cleans up; then only the top-r vectors are formed:
 *   the short-side ones from Jacobi, the long-side ones as X·v/σ (or Xᵀ·u/σ).
 *   Cost 2·max(d,m)·k² + ≈(12 + 4·sweeps)·k³ + 2·d·m·r flops with k = min(d, m); memory
 *   8·(max(d,m)·k + 3k² + r·(d+m)) bytes. Singular values accurate to about ε·σ₁ absolute (no
 *   Gram matrix of X, so no squared condition number); vectors p ≤ r to about ε·σ₁/σ_p.
 * - `'randomized'`: range finder with power iterations (Halko, Martinsson & Tropp 2011, alg. 4.4)
 *   for a fixed rank r ≪ min(d, m): cost ≈ (2q+2)·2·d·m·p + (2q+2)·4·max(d,m)·p² flops for
 *   p = r + oversample, memory ≈ 8·p·(3d + 5m) bytes. Returns the top p singular values only.
 * - `'auto'` (default): randomized only when the rank is a number ≥ 1, the problem is large
 *   (> 5·10⁷ flops) and the flop model says it is at least twice cheaper; otherwise qr.
 *
 * Every route checks the input for NaN/Inf first and the working memory against `maxBytes`
 * before allocating. The inner loops (paired Householder QR, the Gram of R and its symmetric
 * eigen-decomposition, the Jacobi sweeps, row products and row combinations) run in the
 * WebAssembly SIMD kernels or in plain JS (`kernel`); both give the same factors to rounding.
 */
export interface ThinSvdOptions {
  /**
   * How many singular triplets to form vectors for: a count, or a function of all the singular
   * values returning one (a fit's rank rule). Clamped to the numerical rank. @default min(d, m)
   */
  rank?: number | ((values: Float64Array) => number);
  /** `'auto'`, `'qr'` or `'randomized'` (needs a numeric rank). @default 'auto' */
  method?: 'auto' | 'qr' | 'randomized';
  /** Extra columns of the randomized sketch. @default 10 */
  oversample?: number;
  /** Power iterations of the randomized range finder. @default 2 */
  powerIterations?: number;
  /** Seed of the randomized sketch (mulberry32). @default 1 */
  seed?: number;
  /** Working-memory bound in bytes; a larger request throws before allocating. @default 2³⁰ */
  maxBytes?: number;
  /** Reusable scratch for many decompositions in a row (batched fits). @default a fresh one */
  work?: SvdWorkspace;
  /**
   * Re-orthogonalise the long-side vectors (two passes of Gram–Schmidt, 4·max(d, m)·r² flops):
   * formed as X·v/σ they lose orthogonality by about ε·σ₁/σ_p, which a least-squares solve through
   * them (fitPairs) turns into an error growing with the condition number. @default false
   */
  reorthogonalize?: boolean;
  /**
   * Inner loops: `'wasm'` the WebAssembly SIMD kernels (src/linalg/kernels: ≈ 3–6× the plain-JS
   * speed, plus a copy of each operand into the module's memory; an error where the runtime has no
   * WebAssembly SIMD), `'js'` the plain-JS reference,
   * `'auto'` wasm when WebAssembly SIMD validates in this runtime and the kernels' copies fit
   * under `maxBytes` ({@link planThinSvd}), else js (see `setAutoKernel`). @default 'auto'
   */
  kernel?: KernelChoice;
}

export interface ThinSvd {
  /** Singular values, largest first: all min(d, m) (qr) or the top p (randomized). */
  values: Float64Array;
  /** Number of singular triplets whose vectors were formed. */
  rank: number;
  /** Left singular vectors as `rank` rows of length d. */
  u: Float64Array;
  /** Right singular vectors as `rank` rows of length m. */
  v: Float64Array;
  method: 'qr' | 'randomized';
  /** Working memory this decomposition needed, in bytes (stated before allocating). */
  bytes: number;
  /** Jacobi sweeps of the small SVD. */
  sweeps: number;
  /** Whose inner loops ran: the WebAssembly SIMD kernels or the plain-JS reference. */
  kernel: 'wasm' | 'js';
}

export const THIN_SVD_DEFAULTS = Object.freeze({
  method: 'auto' as const,
  oversample: 10,
  powerIterations: 2,
  seed: 1,
  maxBytes: 2 ** 30,
  reorthogonalize: false,
  kernel: 'auto' as KernelChoice,
});

const KEYS = new Set(['rank', 'method', 'oversample', 'powerIterations', 'seed', 'maxBytes', 'work', 'reorthogonalize', 'kernel']);

export function thinSvd(
  x: ArrayLike<number>,
  d: number,
  stride: number,
  offset: number,
  m: number,
  options: ThinSvdOptions = {},
): ThinSvd {
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) throw new Error(`thinSvd: unknown option '${key}' (known: ${[...KEYS].join(', ')})`);
  }
  const o = { ...THIN_SVD_DEFAULTS, ...options };
  if (!(Number.isInteger(d) && d >= 1 && Number.isInteger(m) && m >= 1)) {
    throw new Error(`thinSvd: dimensions must be integers ≥ 1; got ${d} × ${m}`);
  }
  if (!['auto', 'qr', 'randomized'].includes(o.method)) {
    throw new Error(`thinSvd: method must be 'auto', 'qr' or 'randomized'; got ${String(o.method)}`);
  }
  kernelName(o.kernel); // a bad choice is named before anything else
  for (let i = 0; i < d; i++) {
    const bad = firstNonFinite(x, i * stride + offset, i * stride + offset + m);
    if (bad >= 0) {
      throw new Error(`thinSvd: non-finite value (${x[bad]}) at row ${i}, column ${bad - i * stride - offset}; refusing to decompose`);
    }
  }
  const plan = planThinSvd(d, m, o);
  const k = Math.min(d, m);
  const L = Math.max(d, m);
  const fixed = typeof o.rank === 'number' ? o.rank : undefined;
  if (plan.bytes > o.maxBytes) {
    throw new Error(
      `thinSvd: the ${plan.method} route needs ${(plan.bytes / 2 ** 20).toFixed(0)} MiB for ${d} × ${m} (bound ${(o.maxBytes / 2 ** 20).toFixed(0)} MiB); ` +
        (plan.method === 'qr' ? `ask for a numeric rank with method 'randomized' or raise maxBytes` : 'lower the rank or raise maxBytes'),
    );
  }
  const K = kernelsFor(plan.kernel);
  const kernel = K.name;
  const work = o.work ?? new SvdWorkspace();
  if (plan.method === 'randomized') {
    return randomizedSvd(x, d, stride, offset, m, fixed!, o.oversample, o.powerIterations, o.seed, work,
      (b, rows, cols, rank) => thinSvd(b, rows, cols, 0, cols, { rank, method: 'qr', work, kernel }), plan.bytes, K);
  }
  const method = plan.method;
  const bytes = plan.bytes;
  const rMax = fixed === undefined ? k : Math.min(fixed, k);
  // A: the tall side, column by column (columns of length L). In the wide case the columns are
  // the rows of X, and rows that are exactly zero (weights that never moved) are left out.
  let live: Int32Array | null = null;
  if (d < m) {
    const keep: number[] = [];
    for (let i = 0; i < d; i++) {
      const oi = i * stride + offset;
      for (let t = 0; t < m; t++) {
        if (x[oi + t] !== 0) {
          keep.push(i);
          break;
        }
      }
    }
    if (keep.length < d) live = Int32Array.from(keep);
  }
  const kc = live ? live.length : k;
  const A = work.take('svd.a', L * kc);
  if (d >= m) {
    const B = 64;
    for (let i0 = 0; i0 < d; i0 += B) {
      const i1 = Math.min(i0 + B, d);
      for (let t = 0; t < m; t++) {
        const oa = t * L;
        for (let i = i0; i < i1; i++) A[oa + i] = x[i * stride + offset + t];
      }
    }
  } else {
    for (let c = 0; c < kc; c++) {
      const oi = (live ? live[c] : c) * stride + offset;
      const oa = c * m;
      for (let t = 0; t < m; t++) A[oa + t] = x[oi + t];
    }
  }
  const qr = K.pairedQr(A, L, kc);
  const s = qr.steps;
  const R = upperFactor(qr, work.take('svd.r', s * kc));
  // Precondition: rotate R's rows by the eigenvectors of R Rᵀ (cheap, s³), so that Jacobi only
  // cleans up what the Gram cannot resolve — one sweep for a well-separated spectrum.
  const M = work.take('svd.m', s * kc);
  if (s > 1) {
    const eig = K.symmetricEigen(K.rowGram(R, s, kc, 0, kc, work.take('svd.g', s * s)), s);
    K.combineRows(eig.vectors, s, s, R, kc, 0, kc, M);
  } else M.set(R);
  const jac = K.rowJacobi(M, s, kc);
  const values = new Float64Array(k);
  values.set(jac.values);
  let r = typeof o.rank === 'function' ? o.rank(values) : rMax;
  if (!(Number.isInteger(r) && r >= 0)) throw new Error(`thinSvd: the rank function returned ${r}; expected an integer ≥ 0`);
  let positive = 0;
  while (positive < s && values[positive] > 0) positive++;
  r = Math.min(r, positive);
  // The short-side vectors are the normalised rows of the rotated M (in A's original column
  // order); the long-side ones are X (or Xᵀ) times them over σ — one blocked pass, half the flops
  // of applying the reflectors, and the same ε·σ₁/σ_p accuracy as recovering them from R.
  const short = new Float64Array(r * k);
  for (let p = 0; p < r; p++) {
    const row = jac.order[p];
    const inv = 1 / values[p];
    for (let j = 0; j < kc; j++) short[p * k + (live ? live[qr.perm[j]] : qr.perm[j])] = M[row * kc + j] * inv;
  }
  const long = d >= m ? K.rowProduct(short, r, m, 0, x, d, stride, offset, m) : K.combineRows(short, r, d, x, stride, offset, m);
  for (let p = 0; p < r; p++) {
    const inv = 1 / values[p];
    for (let i = p * L; i < (p + 1) * L; i++) long[i] *= inv;
  }
  if (o.reorthogonalize) reorthogonalizeRows(long, r, L);
  return d >= m
    ? { values, rank: r, u: long, v: short, method, bytes, sweeps: jac.sweeps, kernel }
    : { values, rank: r, u: short, v: long, method, bytes, sweeps: jac.sweeps, kernel };
}

/**
 * Which route {@link thinSvd} takes for a d × m matrix with these options, whose inner loops, and
 * the working memory it will need. The wasm kernels work on copies in their own memory, at most
 * 8·(d·(m + 1) + p·(d + m)) bytes more for p vectors (the largest single call: X, as a view with
 * a row stride up to m + 1, and the vectors it is multiplied with); that memory is kept for the
 * next call up to 64 MiB (KERNEL_KEEP_BYTES in src/linalg/kernels/wasm.ts). `kernel: 'auto'`
 * takes js when the extra would cross `maxBytes`.
 */
export function planThinSvd(d: number, m: number, options: ThinSvdOptions = {}): { method: 'qr' | 'randomized'; bytes: number; kernel: 'wasm' | 'js' } {
  const o = { ...THIN_SVD_DEFAULTS, ...options };
  const k = Math.min(d, m);
  const L = Math.max(d, m);
  const fixed = typeof o.rank === 'number' ? o.rank : undefined;
  if (fixed !== undefined && !(Number.isInteger(fixed) && fixed >= 0)) {
    throw new Error(`thinSvd: rank must be an integer ≥ 0 or a function of the singular values; got ${fixed}`);
  }
  let method: 'qr' | 'randomized' = 'qr';
  if (o.method === 'randomized') {
    if (fixed === undefined) throw new Error("thinSvd: method 'randomized' needs a numeric rank");
    method = 'randomized';
  } else if (o.method === 'auto' && fixed !== undefined && fixed >= 1) {
    const p = Math.min(fixed + o.oversample, k);
    const qrFlops = 2 * L * k * k + 16 * k * k * k + 2 * d * m * fixed;
    const passes = 2 * o.powerIterations + 2;
    const rndFlops = passes * 2 * d * m * p + passes * 4 * L * p * p + 2 * L * p * p + 20 * p * p * p;
    if (qrFlops > 5e7 && 2 * rndFlops < qrFlops) method = 'randomized';
  }
  let bytes: number;
  let copies: number;
  if (method === 'randomized') {
    const r = Math.min(fixed!, k);
    const p = Math.min(r + o.oversample, k);
    bytes = 8 * (3 * p * d + 4 * p * m + r * (d + m)) + 8 * (p * m + 2 * p * p);
    copies = 8 * (d * (m + 1) + p * (d + m));
  } else {
    const r = fixed === undefined ? k : Math.min(fixed, k);
    bytes = 8 * (L * k + 3 * k * k + r * (d + m)) + 16 * k;
    copies = 8 * (d * (m + 1) + r * (d + m) + 2 * k);
  }
  const choice = kernelName(o.kernel);
  const kernel = o.kernel === 'auto' && choice === 'wasm' && bytes + copies > o.maxBytes ? 'js' : choice;
  return { method, bytes: kernel === 'wasm' ? bytes + copies : bytes, kernel };
}

/** Two passes of modified Gram–Schmidt on `count` rows of length n, in order. Cost 4·n·count² flops. */
function reorthogonalizeRows(rows: Float64Array, count: number, n: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let a = 0; a < count; a++) {
      const oa = a * n;
      for (let b = 0; b < a; b++) {
        const ob = b * n;
        let dot = 0;
        for (let i = 0; i < n; i++) dot += rows[oa + i] * rows[ob + i];
        for (let i = 0; i < n; i++) rows[oa + i] -= dot * rows[ob + i];
      }
      let norm = 0;
      for (let i = 0; i < n; i++) norm += rows[oa + i] * rows[oa + i];
      const inv = 1 / Math.sqrt(norm);
      for (let i = 0; i < n; i++) rows[oa + i] *= inv;
    }
  }
}
