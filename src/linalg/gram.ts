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
 * (b[j·strideB + offB …]), all of length `len`. Row-major na×nb result.
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
  for (let i = 0; i < na; i++) {
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
