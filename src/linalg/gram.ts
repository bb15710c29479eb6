/**
 * Row Gram matrix G = X Xᵀ (n×n, row-major, both triangles filled) of the n rows of a matrix held
 * in a flat array: row i is x[i·stride + offset … + len). Accumulates in double precision and
 * works on blocks of four rows against two so that each pass over memory serves eight dot products.
 */
export function rowGram(
  x: ArrayLike<number>,
  n: number,
  stride: number,
  offset: number,
  len: number,
  out: Float64Array = new Float64Array(n * n),
): Float64Array {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o0 = i * stride + offset;
    const o1 = o0 + stride;
    const o2 = o1 + stride;
    const o3 = o2 + stride;
    let j = 0;
    // 4 × 2 blocks: six loads serve eight products
    for (; j + 1 <= i + 3; j += 2) {
      const a = j * stride + offset;
      const b = a + stride;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      let s20 = 0;
      let s21 = 0;
      let s30 = 0;
      let s31 = 0;
      for (let t = 0; t < len; t++) {
        const va = x[a + t];
        const vb = x[b + t];
        const x0 = x[o0 + t];
        const x1 = x[o1 + t];
        const x2 = x[o2 + t];
        const x3 = x[o3 + t];
        s00 += x0 * va;
        s01 += x0 * vb;
        s10 += x1 * va;
        s11 += x1 * vb;
        s20 += x2 * va;
        s21 += x2 * vb;
        s30 += x3 * va;
        s31 += x3 * vb;
      }
      put(out, n, i, j, s00);
      put(out, n, i, j + 1, s01);
      put(out, n, i + 1, j, s10);
      put(out, n, i + 1, j + 1, s11);
      put(out, n, i + 2, j, s20);
      put(out, n, i + 2, j + 1, s21);
      put(out, n, i + 3, j, s30);
      put(out, n, i + 3, j + 1, s31);
    }
    for (; j <= i + 3; j++) {
      const oj = j * stride + offset;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let t = 0; t < len; t++) {
        const v = x[oj + t];
        s0 += x[o0 + t] * v;
        s1 += x[o1 + t] * v;
        s2 += x[o2 + t] * v;
        s3 += x[o3 + t] * v;
      }
      put(out, n, i, j, s0);
      put(out, n, i + 1, j, s1);
      put(out, n, i + 2, j, s2);
      put(out, n, i + 3, j, s3);
    }
  }
  for (; i < n; i++) {
    const oi = i * stride + offset;
    for (let j = 0; j <= i; j++) {
      const oj = j * stride + offset;
      let s = 0;
      for (let t = 0; t < len; t++) s += x[oi + t] * x[oj + t];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

function put(out: Float64Array, n: number, i: number, j: number, v: number): void {
  out[i * n + j] = v;
  out[j * n + i] = v;
}

/**
 * C = A Bᵀ where A has `na` rows (a[i·strideA + offA …]) and B has `nb` rows
 * (b[j·strideB + offB …]), all of length `len`. Row-major na×nb result. Cost 2·na·nb·len flops;
 * 2 × 4 register blocks, so six loads serve eight products.
 */
export function rowProduct(
  a: ArrayLike<number>,
  na: number,
  strideA: number,
  offA: number,
  b: ArrayLike<number>,
  nb: number,
  strideB: number,
  offB: number,
  len: number,
  out: Float64Array = new Float64Array(na * nb),
): Float64Array {
  let i = 0;
  for (; i + 1 < na; i += 2) {
    const oi = i * strideA + offA;
    const oi1 = oi + strideA;
    let j = 0;
    for (; j + 3 < nb; j += 4) {
      const o0 = j * strideB + offB;
      const o1 = o0 + strideB;
      const o2 = o1 + strideB;
      const o3 = o2 + strideB;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let u0 = 0;
      let u1 = 0;
      let u2 = 0;
      let u3 = 0;
      for (let t = 0; t < len; t++) {
        const v = a[oi + t];
        const w = a[oi1 + t];
        const b0 = b[o0 + t];
        const b1 = b[o1 + t];
        const b2 = b[o2 + t];
        const b3 = b[o3 + t];
        s0 += v * b0;
        s1 += v * b1;
        s2 += v * b2;
        s3 += v * b3;
        u0 += w * b0;
        u1 += w * b1;
        u2 += w * b2;
        u3 += w * b3;
      }
      const r0 = i * nb + j;
      out[r0] = s0;
      out[r0 + 1] = s1;
      out[r0 + 2] = s2;
      out[r0 + 3] = s3;
      out[r0 + nb] = u0;
      out[r0 + nb + 1] = u1;
      out[r0 + nb + 2] = u2;
      out[r0 + nb + 3] = u3;
    }
    for (; j < nb; j++) {
      const oj = j * strideB + offB;
      let s = 0;
      let u = 0;
      for (let t = 0; t < len; t++) {
        const bj = b[oj + t];
        s += a[oi + t] * bj;
        u += a[oi1 + t] * bj;
      }
      out[i * nb + j] = s;
      out[(i + 1) * nb + j] = u;
    }
  }
  for (; i < na; i++) {
    const oi = i * strideA + offA;
    let j = 0;
    for (; j + 3 < nb; j += 4) {
      const o0 = j * strideB + offB;
      const o1 = o0 + strideB;
      const o2 = o1 + strideB;
      const o3 = o2 + strideB;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let t = 0; t < len; t++) {
        const v = a[oi + t];
        s0 += v * b[o0 + t];
        s1 += v * b[o1 + t];
        s2 += v * b[o2 + t];
        s3 += v * b[o3 + t];
      }
      out[i * nb + j] = s0;
      out[i * nb + j + 1] = s1;
      out[i * nb + j + 2] = s2;
      out[i * nb + j + 3] = s3;
    }
    for (; j < nb; j++) {
      const oj = j * strideB + offB;
      let s = 0;
      for (let t = 0; t < len; t++) s += a[oi + t] * b[oj + t];
      out[i * nb + j] = s;
    }
  }
  return out;
}

/**
 * P = C X (p × len, row-major): the `p` rows of C (length n, row-major) combine the n rows of X
 * (x[i·stride + offset … + len)). Cost 2·p·n·len flops; four output rows against two input rows
 * per pass, so each output row stays in cache while X streams through once per four outputs.
 */
export function combineRows(
  c: ArrayLike<number>,
  p: number,
  n: number,
  x: ArrayLike<number>,
  stride: number,
  offset: number,
  len: number,
  out: Float64Array = new Float64Array(p * len),
): Float64Array {
  out.fill(0, 0, p * len);
  let k = 0;
  for (; k + 3 < p; k += 4) {
    const q0 = k * len;
    const q1 = q0 + len;
    const q2 = q1 + len;
    const q3 = q2 + len;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const a0 = c[k * n + i];
      const a1 = c[(k + 1) * n + i];
      const a2 = c[(k + 2) * n + i];
      const a3 = c[(k + 3) * n + i];
      const b0 = c[k * n + i + 1];
      const b1 = c[(k + 1) * n + i + 1];
      const b2 = c[(k + 2) * n + i + 1];
      const b3 = c[(k + 3) * n + i + 1];
      const ox = i * stride + offset;
      const oy = ox + stride;
      for (let t = 0; t < len; t++) {
        const u = x[ox + t];
        const v = x[oy + t];
        out[q0 + t] += a0 * u + b0 * v;
        out[q1 + t] += a1 * u + b1 * v;
        out[q2 + t] += a2 * u + b2 * v;
        out[q3 + t] += a3 * u + b3 * v;
      }
    }
    for (; i < n; i++) {
      const a0 = c[k * n + i];
      const a1 = c[(k + 1) * n + i];
      const a2 = c[(k + 2) * n + i];
      const a3 = c[(k + 3) * n + i];
      const ox = i * stride + offset;
      for (let t = 0; t < len; t++) {
        const u = x[ox + t];
        out[q0 + t] += a0 * u;
        out[q1 + t] += a1 * u;
        out[q2 + t] += a2 * u;
        out[q3 + t] += a3 * u;
      }
    }
  }
  for (; k < p; k++) {
    const q0 = k * len;
    for (let i = 0; i < n; i++) {
      const a0 = c[k * n + i];
      if (a0 === 0) continue;
      const ox = i * stride + offset;
      for (let t = 0; t < len; t++) out[q0 + t] += a0 * x[ox + t];
    }
  }
  return out;
}
