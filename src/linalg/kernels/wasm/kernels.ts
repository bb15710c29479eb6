// AssemblyScript source of the engine's WebAssembly SIMD kernels (compiled by
// `npm run build:kernels` into ../wasm-bytes.ts; tsc does not compile this folder).
//
// Every matrix is f64 in linear memory; pointers are byte addresses, sizes and strides are in
// elements. Each function mirrors the plain-JS reference of the same name in src/linalg/qr.ts or
// src/linalg/gram.ts (same blocking, same results up to the order of the additions: the vectors
// hold two lanes, summed at the end). v128 f64x2 throughout; no fused multiply-add (not in the
// base SIMD proposal), so the peak is 2 mul + 2 add of two lanes per cycle.

const QR_STOP: f64 = 1e-15;

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}

@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** First 16-byte-aligned address past the module's own data: where the caller's buffers start. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** Σ x[i]·y[i], i < n. Cost 2n flops. */
function dot(x: usize, y: usize, n: i32): f64 {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let q: usize = 0;
  const n4 = (<usize>(n & ~3)) << 3;
  for (; q < n4; q += 32) {
    s0 = f64x2.add(s0, f64x2.mul(v128.load(x + q), v128.load(y + q)));
    s1 = f64x2.add(s1, f64x2.mul(v128.load(x + q, 16), v128.load(y + q, 16)));
  }
  let s = hsum(f64x2.add(s0, s1));
  for (let i = n & ~3; i < n; i++) s += load<f64>(at(x, i)) * load<f64>(at(y, i));
  return s;
}

/** ‖x‖₂ of n entries, scaled (two passes) when the largest entry is tiny or huge, as the JS norm. */
function norm(x: usize, n: i32): f64 {
  let m = f64x2.splat(0);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) m = f64x2.max(m, f64x2.abs(v128.load(at(x, i))));
  let big = max(f64x2.extract_lane(m, 0), f64x2.extract_lane(m, 1));
  if (n2 < n) big = max(big, abs(load<f64>(at(x, n2))));
  if (big == 0) return 0;
  if (big > 1e-150 && big < 1e150) return sqrt(dot(x, x, n));
  const inv = f64x2.splat(1 / big);
  let s = f64x2.splat(0);
  for (let i = 0; i < n2; i += 2) {
    const v = f64x2.mul(v128.load(at(x, i)), inv);
    s = f64x2.add(s, f64x2.mul(v, v));
  }
  let t = hsum(s);
  if (n2 < n) {
    const v = load<f64>(at(x, n2)) / big;
    t += v * v;
  }
  return big * sqrt(t);
}

/** x[i] *= c, i < n. */
function scale(x: usize, n: i32, c: f64): void {
  const cv = f64x2.splat(c);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) v128.store(at(x, i), f64x2.mul(v128.load(at(x, i)), cv));
  if (n2 < n) store<f64>(at(x, n2), load<f64>(at(x, n2)) * c);
}

/** y[i] -= c·x[i], i < n. */
function axpyMinus(y: usize, x: usize, n: i32, c: f64): void {
  const cv = f64x2.splat(c);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) v128.store(at(y, i), f64x2.sub(v128.load(at(y, i)), f64x2.mul(cv, v128.load(at(x, i)))));
  if (n2 < n) store<f64>(at(y, n2), load<f64>(at(y, n2)) - c * load<f64>(at(x, n2)));
}

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

/**
 * C = A Bᵀ (na × nb row-major) for rows a[i·strideA + offA … + len) and b[j·strideB + offB …];
 * reference rowProduct in src/linalg/gram.ts. Cost 2·na·nb·len flops; 2 × 4 register blocks.
 */
export function rowProduct(a: usize, na: i32, strideA: i32, offA: i32, b: usize, nb: i32, strideB: i32, offB: i32, len: i32, out: usize): void {
  const l2 = len & ~1;
  const lb = (<usize>l2) << 3;
  const sa = (<usize>strideA) << 3;
  const sb = (<usize>strideB) << 3;
  let i = 0;
  for (; i + 1 < na; i += 2) {
    const pi = at(a, i * strideA + offA);
    const pi1 = pi + sa;
    let j = 0;
    for (; j + 3 < nb; j += 4) {
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
    for (; j < nb; j++) {
      const qj = at(b, j * strideB + offB);
      store<f64>(at(out, i * nb + j), dot(pi, qj, len));
      store<f64>(at(out, (i + 1) * nb + j), dot(pi1, qj, len));
    }
  }
  for (; i < na; i++) {
    const pi = at(a, i * strideA + offA);
    for (let j = 0; j < nb; j++) store<f64>(at(out, i * nb + j), dot(pi, at(b, j * strideB + offB), len));
  }
}

/**
 * P = C X (p × len row-major): the p rows of C (length n, row-major at `c`) combine the n rows
 * x[i·stride + offset … + len); reference combineRows in src/linalg/gram.ts. Cost 2·p·n·len
 * flops; four output rows against two input rows per pass over the outputs.
 */
export function combineRows(c: usize, p: i32, n: i32, x: usize, stride: i32, offset: i32, len: i32, out: usize): void {
  memory.fill(out, 0, (<usize>(p * len)) << 3);
  const l2 = len & ~1;
  const lb = (<usize>l2) << 3;
  const sx = (<usize>stride) << 3;
  const lo = (<usize>len) << 3;
  let k = 0;
  for (; k + 3 < p; k += 4) {
    const g0 = at(out, k * len);
    const g1 = g0 + lo;
    const g2 = g1 + lo;
    const g3 = g2 + lo;
    let i = 0;
    for (; i + 1 < n; i += 2) {
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
      const py = px + sx;
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
    for (; i < n; i++) {
      const px = at(x, i * stride + offset);
      axpyMinus(g0, px, len, -load<f64>(at(c, k * n + i)));
      axpyMinus(g1, px, len, -load<f64>(at(c, (k + 1) * n + i)));
      axpyMinus(g2, px, len, -load<f64>(at(c, (k + 2) * n + i)));
      axpyMinus(g3, px, len, -load<f64>(at(c, (k + 3) * n + i)));
    }
  }
  for (; k < p; k++) {
    const g = at(out, k * len);
    for (let i = 0; i < n; i++) {
      const a0 = load<f64>(at(c, k * n + i));
      if (a0 == 0) continue;
      axpyMinus(g, at(x, i * stride + offset), len, -a0);
    }
  }
}

/** out[p] = ‖row p‖² of the rows × cols row-major matrix at m. Cost 2·rows·cols flops. */
export function rowNorms2(m: usize, rows: i32, cols: i32, out: usize): void {
  for (let p = 0; p < rows; p++) {
    const o = at(m, p * cols);
    store<f64>(at(out, p), dot(o, o, cols));
  }
}

/**
 * One sweep of one-sided Jacobi over the rows of the rows × cols row-major matrix at m, in the
 * pair order given by the row indices at idx (i32) with the squared row norms at nrm (updated);
 * returns the number of rotations. The loop body of rowJacobi in src/linalg/jacobi-svd.ts.
 * Cost ≤ 8·cols flops per pair (a dot product and a rotation): ≤ 4·rows²·cols per sweep.
 */
export function jacobiSweep(m: usize, rows: i32, cols: i32, idx: usize, nrm: usize, tol: f64): i32 {
  let rotated = 0;
  const c2 = cols & ~1;
  const cb = (<usize>c2) << 3;
  for (let a = 0; a < rows - 1; a++) {
    const p = load<i32>(idx + ((<usize>a) << 2));
    if (load<f64>(at(nrm, p)) == 0) continue;
    const op = at(m, p * cols);
    for (let b = a + 1; b < rows; b++) {
      const q = load<i32>(idx + ((<usize>b) << 2));
      const beta = load<f64>(at(nrm, q));
      if (beta == 0) continue;
      const alpha = load<f64>(at(nrm, p));
      const oq = at(m, q * cols);
      const g = dot(op, oq, cols);
      if (!(abs(g) > tol * sqrt(alpha * beta))) continue;
      rotated++;
      const zeta = (beta - alpha) / (2 * g);
      const t0 = (zeta >= 0 ? 1.0 : -1.0) / (abs(zeta) + sqrt(1 + zeta * zeta));
      const c = 1 / sqrt(1 + t0 * t0);
      const s = c * t0;
      const C = f64x2.splat(c);
      const S = f64x2.splat(s);
      for (let k: usize = 0; k < cb; k += 16) {
        const x = v128.load(op + k);
        const y = v128.load(oq + k);
        v128.store(op + k, f64x2.sub(f64x2.mul(C, x), f64x2.mul(S, y)));
        v128.store(oq + k, f64x2.add(f64x2.mul(S, x), f64x2.mul(C, y)));
      }
      if (c2 < cols) {
        const x = load<f64>(at(op, c2));
        const y = load<f64>(at(oq, c2));
        store<f64>(at(op, c2), c * x - s * y);
        store<f64>(at(oq, c2), s * x + c * y);
      }
      store<f64>(at(nrm, p), max(alpha - t0 * g, 0));
      store<f64>(at(nrm, q), beta + t0 * g);
    }
  }
  return rotated;
}

/**
 * Householder tridiagonalisation (EISPACK tred2) of the symmetric n × n matrix at V (both
 * triangles filled; V ends holding the transpose of the accumulated transform), diagonal to d,
 * off-diagonal to e; the reference is tridiagonalize in src/linalg/symmetric-eigen.ts. Cost
 * ≈ (4/3 + 4/3)·n³ flops (reduction and accumulation), the inner loops over contiguous rows.
 */
export function tridiagonalize(V: usize, d: usize, e: usize, n: i32): void {
  for (let j = 0; j < n; j++) store<f64>(at(d, j), load<f64>(at(V, j * n + n - 1)));
  for (let i = n - 1; i > 0; i--) {
    let scale: f64 = 0;
    let h: f64 = 0;
    for (let k = 0; k < i; k++) scale += abs(load<f64>(at(d, k)));
    if (scale == 0) {
      store<f64>(at(e, i), load<f64>(at(d, i - 1)));
      for (let j = 0; j < i; j++) {
        store<f64>(at(d, j), load<f64>(at(V, j * n + i - 1)));
        store<f64>(at(V, j * n + i), 0);
        store<f64>(at(V, i * n + j), 0);
      }
    } else {
      for (let k = 0; k < i; k++) {
        const v = load<f64>(at(d, k)) / scale;
        store<f64>(at(d, k), v);
        h += v * v;
      }
      let f = load<f64>(at(d, i - 1));
      let g = sqrt(h);
      if (f > 0) g = -g;
      store<f64>(at(e, i), scale * g);
      h -= f * g;
      store<f64>(at(d, i - 1), f - g);
      memory.fill(e, 0, (<usize>i) << 3);
      for (let j = 0; j < i; j++) {
        f = load<f64>(at(d, j));
        store<f64>(at(V, i * n + j), f);
        // g = e[j] + Σ_{k ≥ j} V[j][k]·d[k] and e[k] += V[j][k]·f for k > j, in one pass over row j
        const row = at(V, j * n);
        let acc = f64x2.splat(0);
        const F = f64x2.splat(f);
        let k = j + 1;
        for (; k + 1 < i; k += 2) {
          const v = v128.load(at(row, k));
          acc = f64x2.add(acc, f64x2.mul(v, v128.load(at(d, k))));
          v128.store(at(e, k), f64x2.add(v128.load(at(e, k)), f64x2.mul(v, F)));
        }
        g = load<f64>(at(e, j)) + load<f64>(at(row, j)) * f + hsum(acc);
        for (; k < i; k++) {
          const v = load<f64>(at(row, k));
          g += v * load<f64>(at(d, k));
          store<f64>(at(e, k), load<f64>(at(e, k)) + v * f);
        }
        store<f64>(at(e, j), g);
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        const v = load<f64>(at(e, j)) / h;
        store<f64>(at(e, j), v);
        f += v * load<f64>(at(d, j));
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) store<f64>(at(e, j), load<f64>(at(e, j)) - hh * load<f64>(at(d, j)));
      for (let j = 0; j < i; j++) {
        f = load<f64>(at(d, j));
        g = load<f64>(at(e, j));
        const row = at(V, j * n);
        const F = f64x2.splat(f);
        const G = f64x2.splat(g);
        let k = j;
        for (; k + 1 < i; k += 2) {
          v128.store(at(row, k), f64x2.sub(v128.load(at(row, k)), f64x2.add(f64x2.mul(F, v128.load(at(e, k))), f64x2.mul(G, v128.load(at(d, k))))));
        }
        for (; k < i; k++) store<f64>(at(row, k), load<f64>(at(row, k)) - (f * load<f64>(at(e, k)) + g * load<f64>(at(d, k))));
        store<f64>(at(d, j), load<f64>(at(row, i - 1)));
        store<f64>(at(row, i), 0);
      }
    }
    store<f64>(at(d, i), h);
  }
  for (let i = 0; i < n - 1; i++) {
    store<f64>(at(V, i * n + n - 1), load<f64>(at(V, i * n + i)));
    store<f64>(at(V, i * n + i), 1);
    const h = load<f64>(at(d, i + 1));
    const next = at(V, (i + 1) * n);
    if (h != 0) {
      for (let k = 0; k <= i; k++) store<f64>(at(d, k), load<f64>(at(next, k)) / h);
      for (let j = 0; j <= i; j++) {
        const row = at(V, j * n);
        axpyMinus(row, d, i + 1, dot(next, row, i + 1));
      }
    }
    memory.fill(next, 0, (<usize>(i + 1)) << 3);
  }
  for (let j = 0; j < n; j++) {
    store<f64>(at(d, j), load<f64>(at(V, j * n + n - 1)));
    store<f64>(at(V, j * n + n - 1), 0);
  }
  store<f64>(at(V, (n - 1) * n + n - 1), 1);
  store<f64>(e, 0);
}

/**
 * Implicit QL (EISPACK tql2) on the tridiagonal (d, e); Vt's rows are the eigenvector columns,
 * rotated two at a time in f64x2. Returns 0, or −1 when an eigenvalue took more than 60·n
 * iterations. The reference is diagonalize in src/linalg/symmetric-eigen.ts. Cost ≈ 6·n³ flops
 * for ≈ 2 iterations per eigenvalue, nearly all in the rotations.
 */
export function diagonalize(Vt: usize, d: usize, e: usize, n: i32): i32 {
  for (let i = 1; i < n; i++) store<f64>(at(e, i - 1), load<f64>(at(e, i)));
  store<f64>(at(e, n - 1), 0);
  let f: f64 = 0;
  let tst1: f64 = 0;
  const eps: f64 = 2.220446049250313e-16;
  const maxIter = 60 * max(n, 1);
  const n2 = n & ~1;
  const nb = (<usize>n2) << 3;
  for (let l = 0; l < n; l++) {
    tst1 = max(tst1, abs(load<f64>(at(d, l))) + abs(load<f64>(at(e, l))));
    let m = l;
    while (m < n) {
      if (abs(load<f64>(at(e, m))) <= eps * tst1) break;
      m++;
    }
    if (m == n) m = n - 1;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > maxIter) return -1;
        let g = load<f64>(at(d, l));
        const el = load<f64>(at(e, l));
        let p = (load<f64>(at(d, l + 1)) - g) / (2 * el);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        store<f64>(at(d, l), el / (p + r));
        store<f64>(at(d, l + 1), el * (p + r));
        const dl1 = load<f64>(at(d, l + 1));
        let h = g - load<f64>(at(d, l));
        for (let i = l + 2; i < n; i++) store<f64>(at(d, i), load<f64>(at(d, i)) - h);
        f += h;
        p = load<f64>(at(d, m));
        let c: f64 = 1;
        let c2 = c;
        let c3 = c;
        const el1 = load<f64>(at(e, l + 1));
        let s: f64 = 0;
        let s2: f64 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          const ei = load<f64>(at(e, i));
          const di = load<f64>(at(d, i));
          g = c * ei;
          h = c * p;
          r = Math.hypot(p, ei);
          store<f64>(at(e, i + 1), s * r);
          s = ei / r;
          c = p / r;
          p = c * di - s * g;
          store<f64>(at(d, i + 1), h + s * (c * g + s * di));
          const oi = at(Vt, i * n);
          const oi1 = oi + ((<usize>n) << 3);
          const C = f64x2.splat(c);
          const S = f64x2.splat(s);
          for (let q: usize = 0; q < nb; q += 16) {
            const hk = v128.load(oi1 + q);
            const vk = v128.load(oi + q);
            v128.store(oi1 + q, f64x2.add(f64x2.mul(S, vk), f64x2.mul(C, hk)));
            v128.store(oi + q, f64x2.sub(f64x2.mul(C, vk), f64x2.mul(S, hk)));
          }
          if (n2 < n) {
            const hk = load<f64>(at(oi1, n2));
            const vk = load<f64>(at(oi, n2));
            store<f64>(at(oi1, n2), s * vk + c * hk);
            store<f64>(at(oi, n2), c * vk - s * hk);
          }
        }
        p = (-s * s2 * c3 * el1 * load<f64>(at(e, l))) / dl1;
        store<f64>(at(e, l), s * p);
        store<f64>(at(d, l), c * p);
      } while (abs(load<f64>(at(e, l))) > eps * tst1);
    }
    store<f64>(at(d, l), load<f64>(at(d, l)) + f);
    store<f64>(at(e, l), 0);
  }
  return 0;
}
