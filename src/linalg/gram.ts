/**
 * Row Gram matrix G = X Xᵀ (n×n, row-major, both triangles filled) of the n rows of a matrix held
 * in a flat array: row i is x[i·stride + offset … + len). Accumulates in double precision and
 * works on four rows at a time so that each pass over a row serves four dot products.
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
    for (let j = 0; j <= i + 3; j++) {
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
      out[i * n + j] = s0;
      out[j * n + i] = s0;
      out[(i + 1) * n + j] = s1;
      out[j * n + i + 1] = s1;
      out[(i + 2) * n + j] = s2;
      out[j * n + i + 2] = s2;
      out[(i + 3) * n + j] = s3;
      out[j * n + i + 3] = s3;
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
