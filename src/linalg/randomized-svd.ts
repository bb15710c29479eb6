import { JS_KERNELS, type LinalgKernels } from './kernels/select.js';
import { applyQ, pivotedQr } from './qr.js';
import type { ThinSvd } from './svd.js';
import type { SvdWorkspace } from './workspace.js';
import { mulberry32 } from './random.js';

/**
 * Randomized thin SVD of the row-major d × m matrix (x, stride, offset): the range finder with q
 * power iterations and re-orthonormalisation after every product (Halko, Martinsson & Tropp 2011,
 * algorithm 4.4), then the exact QR route on the small p × m matrix B = Qᵀ X.
 * Reached through {@link thinSvd} with `method: 'randomized'` (or `'auto'`).
 *
 * Cost: (2q+2)·2·d·m·p flops in products plus (2q+2)·4·max(d, m)·p² in orthonormalisations,
 * p = min(r + oversample, d, m); memory 8·(3·p·d + 5·p·m + r·(d + m)) bytes ({@link planThinSvd}),
 * checked against `maxBytes` by thinSvd before anything is allocated. Returns the top p singular values; the top r are
 * accurate when σ_{r+1}/σ_r is well below 1 (the error falls like (σ_{p+1}/σ_r)^(2q+1)).
 */
export function randomizedSvd(
  x: ArrayLike<number>,
  d: number,
  stride: number,
  offset: number,
  m: number,
  rank: number,
  oversample: number,
  q: number,
  seed: number,
  work: SvdWorkspace,
  /** The exact route for the small p × m matrix B (thinSvd's QR route) and the plan's byte count. */
  exact: (b: Float64Array, rows: number, cols: number, rank: number) => ThinSvd,
  bytes: number,
  /** The inner loops' implementation (thinSvd's `kernel`). */
  K: LinalgKernels = JS_KERNELS,
): ThinSvd {
  if (!(Number.isInteger(oversample) && oversample >= 0)) throw new Error(`thinSvd: oversample must be an integer ≥ 0; got ${oversample}`);
  if (!(Number.isInteger(q) && q >= 0)) throw new Error(`thinSvd: powerIterations must be an integer ≥ 0; got ${q}`);
  // X is read by every product below: the wasm kernels copy it into their memory once
  K.hold(x, d, stride, offset, m);
  try {
    return sketch(x, d, stride, offset, m, rank, q, oversample, seed, work, exact, bytes, K);
  } finally {
    K.release();
  }
}

function sketch(
  x: ArrayLike<number>,
  d: number,
  stride: number,
  offset: number,
  m: number,
  rank: number,
  q: number,
  oversample: number,
  seed: number,
  work: SvdWorkspace,
  exact: (b: Float64Array, rows: number, cols: number, rank: number) => ThinSvd,
  bytes: number,
  K: LinalgKernels,
): ThinSvd {
  const k = Math.min(d, m);
  const r = Math.min(rank, k);
  const p = Math.min(r + oversample, k);
  let sweeps = 0;
  const omega = gaussianRows(p, m, seed, work.take('rnd.omega', p * m));
  // Q (p rows of length d) spans the range of X Ω
  let Q = orthonormalRows(K.rowProduct(omega, p, m, 0, x, d, stride, offset, m, work.take('rnd.y', p * d)), p, d, work, 'rnd.q');
  for (let it = 0; it < q; it++) {
    const Z = orthonormalRows(K.combineRows(Q.rows, Q.count, d, x, stride, offset, m, work.take('rnd.z', Q.count * m)), Q.count, m, work, 'rnd.zq');
    Q = orthonormalRows(K.rowProduct(Z.rows, Z.count, m, 0, x, d, stride, offset, m, work.take('rnd.y', Z.count * d)), Z.count, d, work, 'rnd.q');
  }
  const s = Q.count;
  const B = K.combineRows(Q.rows, s, d, x, stride, offset, m, work.take('rnd.b', s * m));
  const small = exact(B, s, m, Math.min(r, s));
  sweeps += small.sweeps;
  // U = Q_rowsᵀ · u_B: row p of U is Σ_l u_B[p][l] · Q row l
  const u = K.combineRows(small.u, small.rank, s, Q.rows, d, 0, d);
  return { values: small.values, rank: small.rank, u, v: small.v, method: 'randomized', bytes, sweeps, kernel: K.name };
}

/** Orthonormal rows spanning the `count` rows (length n) of y, by Householder QR; y is overwritten. */
function orthonormalRows(y: Float64Array, count: number, n: number, work: SvdWorkspace, name: string): { rows: Float64Array; count: number } {
  const qr = pivotedQr(y, n, count);
  const s = qr.steps;
  const z = work.take(name, s * n);
  z.fill(0);
  for (let j = 0; j < s; j++) z[j * n + j] = 1;
  applyQ(qr, z, s);
  return { rows: z, count: s };
}

/** `count` rows of `len` standard normal numbers (mulberry32 + Box–Muller), seeded. */
export function gaussianRows(count: number, len: number, seed: number, out = new Float64Array(count * len)): Float64Array {
  const uniform = mulberry32(seed);
  for (let i = 0; i < count * len; i += 2) {
    const u1 = 1 - uniform();
    const u2 = uniform();
    const rad = Math.sqrt(-2 * Math.log(u1));
    out[i] = rad * Math.cos(2 * Math.PI * u2);
    if (i + 1 < count * len) out[i + 1] = rad * Math.sin(2 * Math.PI * u2);
  }
  return out;
}
