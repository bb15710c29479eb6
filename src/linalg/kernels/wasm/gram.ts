// Gram, row-product and row-combination kernels (see kernels.ts); the reference is src/linalg/gram.ts.
import { at, axpyMinus, dot, hsum } from './common';

/**
 * G = X Xᵀ (n × n row-major, both triangles) of the n rows x[i·stride + offset … + len) at `x`;
 * reference rowGram in src/linalg/gram.ts. Cost 2·n²·len flops (half of them, by symmetry);
 * blocks of four rows against two, so six vector loads serve eight vector products.
 */
export function rowGram(x: usize, n: i32, stride: i32, offset: i32, len: i32, out: usize): void {
  const l2 = len & ~1;
  const lb = (<usize>l2) << 3;
  const sb = (<usize>stride) << 3;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o0 = at(x, i * stride + offset);
    const o1 = o0 + sb;
    const o2 = o1 + sb;
    const o3 = o2 + sb;
    let j = 0;
    for (; j + 1 <= i + 3; j += 2) {
      const pa = at(x, j * stride + offset);
      const pb = pa + sb;
      let s00 = f64x2.splat(0);
      let s01 = f64x2.splat(0);
      let s10 = f64x2.splat(0);
      let s11 = f64x2.splat(0);
      let s20 = f64x2.splat(0);
      let s21 = f64x2.splat(0);
      let s30 = f64x2.splat(0);
      let s31 = f64x2.splat(0);
      for (let q: usize = 0; q < lb; q += 16) {
        const va = v128.load(pa + q);
        const vb = v128.load(pb + q);
        const x0 = v128.load(o0 + q);
        const x1 = v128.load(o1 + q);
        const x2 = v128.load(o2 + q);
        const x3 = v128.load(o3 + q);
        s00 = f64x2.add(s00, f64x2.mul(x0, va));
        s01 = f64x2.add(s01, f64x2.mul(x0, vb));
        s10 = f64x2.add(s10, f64x2.mul(x1, va));
        s11 = f64x2.add(s11, f64x2.mul(x1, vb));
        s20 = f64x2.add(s20, f64x2.mul(x2, va));
        s21 = f64x2.add(s21, f64x2.mul(x2, vb));
        s30 = f64x2.add(s30, f64x2.mul(x3, va));
        s31 = f64x2.add(s31, f64x2.mul(x3, vb));
      }
      let t00 = hsum(s00);
      let t01 = hsum(s01);
      let t10 = hsum(s10);
      let t11 = hsum(s11);
      let t20 = hsum(s20);
      let t21 = hsum(s21);
      let t30 = hsum(s30);
      let t31 = hsum(s31);
      if (l2 < len) {
        const ea = load<f64>(at(pa, l2));
        const eb = load<f64>(at(pb, l2));
        const y0 = load<f64>(at(o0, l2));
        const y1 = load<f64>(at(o1, l2));
        const y2 = load<f64>(at(o2, l2));
        const y3 = load<f64>(at(o3, l2));
        t00 += y0 * ea;
        t01 += y0 * eb;
        t10 += y1 * ea;
        t11 += y1 * eb;
        t20 += y2 * ea;
        t21 += y2 * eb;
        t30 += y3 * ea;
        t31 += y3 * eb;
      }
      put(out, n, i, j, t00);
      put(out, n, i, j + 1, t01);
      put(out, n, i + 1, j, t10);
      put(out, n, i + 1, j + 1, t11);
      put(out, n, i + 2, j, t20);
      put(out, n, i + 2, j + 1, t21);
      put(out, n, i + 3, j, t30);
      put(out, n, i + 3, j + 1, t31);
    }
    for (; j <= i + 3; j++) {
      const pj = at(x, j * stride + offset);
      put(out, n, i, j, dot(o0, pj, len));
      put(out, n, i + 1, j, dot(o1, pj, len));
      put(out, n, i + 2, j, dot(o2, pj, len));
      put(out, n, i + 3, j, dot(o3, pj, len));
    }
  }
  for (; i < n; i++) {
    const oi = at(x, i * stride + offset);
    for (let j = 0; j <= i; j++) put(out, n, i, j, dot(oi, at(x, j * stride + offset), len));
  }
}

@inline function put(out: usize, n: i32, i: i32, j: i32, v: f64): void {
  store<f64>(at(out, i * n + j), v);
  store<f64>(at(out, j * n + i), v);
}

/** Operands up to this many bytes are kept in cache while the other one streams past once. */
const CACHED_BYTES: usize = 512 * 1024;

/**
 * C = A Bᵀ (na × nb row-major) for rows a[i·strideA + offA … + len) and b[j·strideB + offB …];
 * reference rowProduct in src/linalg/gram.ts. Cost 2·na·nb·len flops; 2 × 4 register tiles (six
 * vector loads serve eight vector products). The loop over the larger operand is outermost, so it
 * streams through memory once while the smaller one is re-read from cache (for X times a few
 * vectors: one pass over X, not one per pair of vectors). Every entry is summed the same way in
 * either order.
 */
export function rowProduct(a: usize, na: i32, strideA: i32, offA: i32, b: usize, nb: i32, strideB: i32, offB: i32, len: i32, out: usize): void {
  const ip = na & ~1;
  const jp = nb & ~3;
  if ((<usize>na) * (<usize>len) * 8 <= CACHED_BYTES && nb > na) {
    // B outermost: each 4-row block of B is loaded once and meets all of A
    for (let j = 0; j < jp; j += 4) {
      for (let i = 0; i < ip; i += 2) tile24(a, i, strideA, offA, b, j, strideB, offB, len, out, nb);
      if (ip < na) for (let jj = j; jj < j + 4; jj++) one(a, ip, strideA, offA, b, jj, strideB, offB, len, out, nb);
    }
    for (let j = jp; j < nb; j++) for (let i = 0; i < na; i++) one(a, i, strideA, offA, b, j, strideB, offB, len, out, nb);
    return;
  }
  for (let i = 0; i < ip; i += 2) {
    for (let j = 0; j < jp; j += 4) tile24(a, i, strideA, offA, b, j, strideB, offB, len, out, nb);
    for (let j = jp; j < nb; j++) {
      one(a, i, strideA, offA, b, j, strideB, offB, len, out, nb);
      one(a, i + 1, strideA, offA, b, j, strideB, offB, len, out, nb);
    }
  }
  for (let i = ip; i < na; i++) for (let j = 0; j < nb; j++) one(a, i, strideA, offA, b, j, strideB, offB, len, out, nb);
}

/** C[i][j] = a_i · b_j. */
@inline function one(a: usize, i: i32, strideA: i32, offA: i32, b: usize, j: i32, strideB: i32, offB: i32, len: i32, out: usize, nb: i32): void {
  store<f64>(at(out, i * nb + j), dot(at(a, i * strideA + offA), at(b, j * strideB + offB), len));
}

/** C[i … i+1][j … j+3]: the 2 × 4 register tile. */
function tile24(a: usize, i: i32, strideA: i32, offA: i32, b: usize, j: i32, strideB: i32, offB: i32, len: i32, out: usize, nb: i32): void {
  const l2 = len & ~1;
  const lb = (<usize>l2) << 3;
  const sb = (<usize>strideB) << 3;
  const pi = at(a, i * strideA + offA);
  const pi1 = pi + ((<usize>strideA) << 3);
  const q0 = at(b, j * strideB + offB);
  const q1 = q0 + sb;
  const q2 = q1 + sb;
  const q3 = q2 + sb;
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let s2 = f64x2.splat(0);
  let s3 = f64x2.splat(0);
  let u0 = f64x2.splat(0);
  let u1 = f64x2.splat(0);
  let u2 = f64x2.splat(0);
  let u3 = f64x2.splat(0);
  for (let q: usize = 0; q < lb; q += 16) {
    const v = v128.load(pi + q);
    const w = v128.load(pi1 + q);
    const b0 = v128.load(q0 + q);
    const b1 = v128.load(q1 + q);
    const b2 = v128.load(q2 + q);
    const b3 = v128.load(q3 + q);
    s0 = f64x2.add(s0, f64x2.mul(v, b0));
    s1 = f64x2.add(s1, f64x2.mul(v, b1));
    s2 = f64x2.add(s2, f64x2.mul(v, b2));
    s3 = f64x2.add(s3, f64x2.mul(v, b3));
    u0 = f64x2.add(u0, f64x2.mul(w, b0));
    u1 = f64x2.add(u1, f64x2.mul(w, b1));
    u2 = f64x2.add(u2, f64x2.mul(w, b2));
    u3 = f64x2.add(u3, f64x2.mul(w, b3));
  }
  let t0 = hsum(s0);
  let t1 = hsum(s1);
  let t2 = hsum(s2);
  let t3 = hsum(s3);
  let r0 = hsum(u0);
  let r1 = hsum(u1);
  let r2 = hsum(u2);
  let r3 = hsum(u3);
  if (l2 < len) {
    const v = load<f64>(at(pi, l2));
    const w = load<f64>(at(pi1, l2));
    const b0 = load<f64>(at(q0, l2));
    const b1 = load<f64>(at(q1, l2));
    const b2 = load<f64>(at(q2, l2));
    const b3 = load<f64>(at(q3, l2));
    t0 += v * b0;
    t1 += v * b1;
    t2 += v * b2;
    t3 += v * b3;
    r0 += w * b0;
    r1 += w * b1;
    r2 += w * b2;
    r3 += w * b3;
  }
  const o = at(out, i * nb + j);
  const o1 = o + ((<usize>nb) << 3);
  store<f64>(o, t0);
  store<f64>(o, t1, 8);
  store<f64>(o, t2, 16);
  store<f64>(o, t3, 24);
  store<f64>(o1, r0);
  store<f64>(o1, r1, 8);
  store<f64>(o1, r2, 16);
  store<f64>(o1, r3, 24);
}

/**
 * P = C X (p × len row-major): the p rows of C (length n, row-major at `c`) combine the n rows
 * x[i·stride + offset … + len); reference combineRows in src/linalg/gram.ts. Cost 2·p·n·len
 * flops; tiles of four output rows against two input rows. When the output fits in cache the
 * input rows are the outer loop, so X streams through memory once (not once per four outputs);
 * every entry accumulates over i in the same order either way.
 */
export function combineRows(c: usize, p: i32, n: i32, x: usize, stride: i32, offset: i32, len: i32, out: usize): void {
  memory.fill(out, 0, (<usize>(p * len)) << 3);
  const kp = p & ~3;
  const ip = n & ~1;
  if ((<usize>p) * (<usize>len) * 8 <= CACHED_BYTES && n > p) {
    for (let i = 0; i < ip; i += 2) {
      for (let k = 0; k < kp; k += 4) tile42(c, k, p, n, i, x, stride, offset, len, out);
      for (let k = kp; k < p; k++) {
        addRow(c, k, n, i, x, stride, offset, len, out);
        addRow(c, k, n, i + 1, x, stride, offset, len, out);
      }
    }
    if (ip < n) for (let k = 0; k < p; k++) addRow(c, k, n, ip, x, stride, offset, len, out);
    return;
  }
  for (let k = 0; k < kp; k += 4) {
    for (let i = 0; i < ip; i += 2) tile42(c, k, p, n, i, x, stride, offset, len, out);
    if (ip < n) for (let kk = k; kk < k + 4; kk++) addRow(c, kk, n, ip, x, stride, offset, len, out);
  }
  for (let k = kp; k < p; k++) for (let i = 0; i < n; i++) addRow(c, k, n, i, x, stride, offset, len, out);
}

/** out_k += C[k][i] · x_i (skipped when the coefficient is 0, as the JS one does for the last rows). */
@inline function addRow(c: usize, k: i32, n: i32, i: i32, x: usize, stride: i32, offset: i32, len: i32, out: usize): void {
  const a0 = load<f64>(at(c, k * n + i));
  if (a0 != 0) axpyMinus(at(out, k * len), at(x, i * stride + offset), len, -a0);
}

/** out_k … out_{k+3} += C[k…k+3][i] x_i + C[k…k+3][i+1] x_{i+1}: the 4 × 2 tile. */
function tile42(c: usize, k: i32, p: i32, n: i32, i: i32, x: usize, stride: i32, offset: i32, len: i32, out: usize): void {
  const l2 = len & ~1;
  const lb = (<usize>l2) << 3;
  const lo = (<usize>len) << 3;
  const g0 = at(out, k * len);
  const g1 = g0 + lo;
  const g2 = g1 + lo;
  const g3 = g2 + lo;
  const a0 = load<f64>(at(c, k * n + i));
  const a1 = load<f64>(at(c, (k + 1) * n + i));
  const a2 = load<f64>(at(c, (k + 2) * n + i));
  const a3 = load<f64>(at(c, (k + 3) * n + i));
  const b0 = load<f64>(at(c, k * n + i + 1));
  const b1 = load<f64>(at(c, (k + 1) * n + i + 1));
  const b2 = load<f64>(at(c, (k + 2) * n + i + 1));
  const b3 = load<f64>(at(c, (k + 3) * n + i + 1));
  const A0 = f64x2.splat(a0);
  const A1 = f64x2.splat(a1);
  const A2 = f64x2.splat(a2);
  const A3 = f64x2.splat(a3);
  const B0 = f64x2.splat(b0);
  const B1 = f64x2.splat(b1);
  const B2 = f64x2.splat(b2);
  const B3 = f64x2.splat(b3);
  const px = at(x, i * stride + offset);
  const py = px + ((<usize>stride) << 3);
  for (let q: usize = 0; q < lb; q += 16) {
    const u = v128.load(px + q);
    const v = v128.load(py + q);
    v128.store(g0 + q, f64x2.add(v128.load(g0 + q), f64x2.add(f64x2.mul(A0, u), f64x2.mul(B0, v))));
    v128.store(g1 + q, f64x2.add(v128.load(g1 + q), f64x2.add(f64x2.mul(A1, u), f64x2.mul(B1, v))));
    v128.store(g2 + q, f64x2.add(v128.load(g2 + q), f64x2.add(f64x2.mul(A2, u), f64x2.mul(B2, v))));
    v128.store(g3 + q, f64x2.add(v128.load(g3 + q), f64x2.add(f64x2.mul(A3, u), f64x2.mul(B3, v))));
  }
  if (l2 < len) {
    const u = load<f64>(at(px, l2));
    const v = load<f64>(at(py, l2));
    store<f64>(at(g0, l2), load<f64>(at(g0, l2)) + (a0 * u + b0 * v));
    store<f64>(at(g1, l2), load<f64>(at(g1, l2)) + (a1 * u + b1 * v));
    store<f64>(at(g2, l2), load<f64>(at(g2, l2)) + (a2 * u + b2 * v));
    store<f64>(at(g3, l2), load<f64>(at(g3, l2)) + (a3 * u + b3 * v));
  }
}
