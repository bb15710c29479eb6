// Householder QR of the AssemblyScript kernels (see kernels.ts); the reference is src/linalg/qr.ts.
import { at, axpyMinus, dot, hsum, norm, scale } from './common';

const QR_STOP: f64 = 1e-15;

/**
 * H = I − τ v vᵀ (v = column j of a from row j, v₀ = 1 already stored) applied to columns
 * [from, to) of a, rows j … len−1. Cost 4·(len − j)·(to − from) flops.
 */
function applyReflector(a: usize, len: i32, j: i32, tj: f64, from: i32, to: i32): void {
  if (tj == 0) return;
  const n = len - j;
  const v = at(a, j * len + j);
  for (let c = from; c < to; c++) {
    const x = at(a, c * len + j);
    axpyMinus(x, v, n, tj * dot(v, x, n));
  }
}

/** Householder reflector of column j below the diagonal, in place (xLARFG); returns τ. */
function reflect(a: usize, len: i32, j: i32, floor: f64): f64 {
  const oj = at(a, j * len + j);
  const n = len - j;
  const alpha = load<f64>(oj);
  const nx = norm(oj, n);
  if (!(nx > floor)) {
    memory.fill(oj, 0, (<usize>n) << 3);
    return 0;
  }
  const beta = alpha > 0 ? -nx : nx;
  scale(oj + 8, n - 1, 1 / (alpha - beta));
  store<f64>(oj, beta);
  return (beta - alpha) / beta;
}

/**
 * Householder QR without pivoting of the column-stored len × cols matrix at `a`, two reflectors
 * per pass over the trailing columns (the reference is pairedQr in src/linalg/qr.ts); τ goes to
 * `tau` (min(len, cols) entries). Cost 2·len·k² − ⅔k³ flops for k = min(len, cols); each pass
 * reads a block of four trailing columns once for the eight dot products and once more (from
 * cache) for the update.
 */
export function pairedQr(a: usize, len: i32, cols: i32, tau: usize): void {
  const kmax = min(len, cols);
  let big: f64 = 0;
  for (let j = 0; j < cols; j++) big = max(big, norm(at(a, j * len), len));
  const floor = QR_STOP * big;
  for (let j = 0; j < kmax; j += 2) {
    const t0 = reflect(a, len, j, floor);
    store<f64>(at(tau, j), t0);
    const d0 = at(a, j * len + j);
    if (j + 1 >= kmax) {
      const keep = load<f64>(d0);
      store<f64>(d0, 1);
      applyReflector(a, len, j, t0, j + 1, cols);
      store<f64>(d0, keep);
      break;
    }
    const r0 = load<f64>(d0);
    store<f64>(d0, 1);
    applyReflector(a, len, j, t0, j + 1, j + 2);
    const t1 = reflect(a, len, j + 1, floor);
    store<f64>(at(tau, j + 1), t1);
    const d1 = at(a, (j + 1) * len + j + 1);
    const r1 = load<f64>(d1);
    store<f64>(d1, 1);
    // rows j+1 … len−1 of both reflectors (v₁ is zero in row j)
    const v0 = d0 + 8;
    const v1 = d1;
    const n = len - j - 1;
    const w = dot(v1, v0, n);
    pairedUpdate(a, len, j, cols, v0, v1, n, t0, t1, w);
    store<f64>(d0, r0);
    store<f64>(d1, r1);
  }
}

/** The trailing update of one reflector pair: columns j+2 … cols−1, rows j … len−1. */
function pairedUpdate(a: usize, len: i32, j: i32, cols: i32, v0: usize, v1: usize, n: i32, t0: f64, t1: f64, w: f64): void {
  const n2 = n & ~1;
  const nb = (<usize>n2) << 3;
  let c = j + 2;
  for (; c + 3 < cols; c += 4) {
    const h0 = at(a, c * len + j);
    const h1 = h0 + ((<usize>len) << 3);
    const h2 = h1 + ((<usize>len) << 3);
    const h3 = h2 + ((<usize>len) << 3);
    const p0 = h0 + 8;
    const p1 = h1 + 8;
    const p2 = h2 + 8;
    const p3 = h3 + 8;
    let s0 = f64x2.splat(0);
    let s1 = f64x2.splat(0);
    let s2 = f64x2.splat(0);
    let s3 = f64x2.splat(0);
    let u0 = f64x2.splat(0);
    let u1 = f64x2.splat(0);
    let u2 = f64x2.splat(0);
    let u3 = f64x2.splat(0);
    for (let q: usize = 0; q < nb; q += 16) {
      const a0 = v128.load(v0 + q);
      const a1 = v128.load(v1 + q);
      const x0 = v128.load(p0 + q);
      const x1 = v128.load(p1 + q);
      const x2 = v128.load(p2 + q);
      const x3 = v128.load(p3 + q);
      s0 = f64x2.add(s0, f64x2.mul(a0, x0));
      s1 = f64x2.add(s1, f64x2.mul(a0, x1));
      s2 = f64x2.add(s2, f64x2.mul(a0, x2));
      s3 = f64x2.add(s3, f64x2.mul(a0, x3));
      u0 = f64x2.add(u0, f64x2.mul(a1, x0));
      u1 = f64x2.add(u1, f64x2.mul(a1, x1));
      u2 = f64x2.add(u2, f64x2.mul(a1, x2));
      u3 = f64x2.add(u3, f64x2.mul(a1, x3));
    }
    let S0 = load<f64>(h0) + hsum(s0);
    let S1 = load<f64>(h1) + hsum(s1);
    let S2 = load<f64>(h2) + hsum(s2);
    let S3 = load<f64>(h3) + hsum(s3);
    let U0 = hsum(u0);
    let U1 = hsum(u1);
    let U2 = hsum(u2);
    let U3 = hsum(u3);
    if (n2 < n) {
      const e0 = load<f64>(at(v0, n2));
      const e1 = load<f64>(at(v1, n2));
      const y0 = load<f64>(at(p0, n2));
      const y1 = load<f64>(at(p1, n2));
      const y2 = load<f64>(at(p2, n2));
      const y3 = load<f64>(at(p3, n2));
      S0 += e0 * y0;
      S1 += e0 * y1;
      S2 += e0 * y2;
      S3 += e0 * y3;
      U0 += e1 * y0;
      U1 += e1 * y1;
      U2 += e1 * y2;
      U3 += e1 * y3;
    }
    const al0 = t0 * S0;
    const al1 = t0 * S1;
    const al2 = t0 * S2;
    const al3 = t0 * S3;
    const be0 = t1 * (U0 - al0 * w);
    const be1 = t1 * (U1 - al1 * w);
    const be2 = t1 * (U2 - al2 * w);
    const be3 = t1 * (U3 - al3 * w);
    store<f64>(h0, load<f64>(h0) - al0);
    store<f64>(h1, load<f64>(h1) - al1);
    store<f64>(h2, load<f64>(h2) - al2);
    store<f64>(h3, load<f64>(h3) - al3);
    const A0 = f64x2.splat(al0);
    const A1 = f64x2.splat(al1);
    const A2 = f64x2.splat(al2);
    const A3 = f64x2.splat(al3);
    const B0 = f64x2.splat(be0);
    const B1 = f64x2.splat(be1);
    const B2 = f64x2.splat(be2);
    const B3 = f64x2.splat(be3);
    for (let q: usize = 0; q < nb; q += 16) {
      const a0 = v128.load(v0 + q);
      const a1 = v128.load(v1 + q);
      v128.store(p0 + q, f64x2.sub(v128.load(p0 + q), f64x2.add(f64x2.mul(A0, a0), f64x2.mul(B0, a1))));
      v128.store(p1 + q, f64x2.sub(v128.load(p1 + q), f64x2.add(f64x2.mul(A1, a0), f64x2.mul(B1, a1))));
      v128.store(p2 + q, f64x2.sub(v128.load(p2 + q), f64x2.add(f64x2.mul(A2, a0), f64x2.mul(B2, a1))));
      v128.store(p3 + q, f64x2.sub(v128.load(p3 + q), f64x2.add(f64x2.mul(A3, a0), f64x2.mul(B3, a1))));
    }
    if (n2 < n) {
      const e0 = load<f64>(at(v0, n2));
      const e1 = load<f64>(at(v1, n2));
      store<f64>(at(p0, n2), load<f64>(at(p0, n2)) - (al0 * e0 + be0 * e1));
      store<f64>(at(p1, n2), load<f64>(at(p1, n2)) - (al1 * e0 + be1 * e1));
      store<f64>(at(p2, n2), load<f64>(at(p2, n2)) - (al2 * e0 + be2 * e1));
      store<f64>(at(p3, n2), load<f64>(at(p3, n2)) - (al3 * e0 + be3 * e1));
    }
  }
  for (; c < cols; c++) {
    const h = at(a, c * len + j);
    const p = h + 8;
    const al = t0 * (load<f64>(h) + dot(v0, p, n));
    const be = t1 * (dot(v1, p, n) - al * w);
    store<f64>(h, load<f64>(h) - al);
    const A = f64x2.splat(al);
    const B = f64x2.splat(be);
    for (let q: usize = 0; q < nb; q += 16) {
      v128.store(p + q, f64x2.sub(v128.load(p + q), f64x2.add(f64x2.mul(A, v128.load(v0 + q)), f64x2.mul(B, v128.load(v1 + q)))));
    }
    if (n2 < n) store<f64>(at(p, n2), load<f64>(at(p, n2)) - (al * load<f64>(at(v0, n2)) + be * load<f64>(at(v1, n2))));
  }
}
