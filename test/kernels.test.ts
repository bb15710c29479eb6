import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { combineRows, rowGram, rowProduct } from '../src/linalg/gram.js';
import { KERNELS_WASM_BASE64 } from '../src/linalg/kernels/wasm-bytes.js';
import { autoKernel, JS_KERNELS, kernelsFor, setAutoKernel } from '../src/linalg/kernels/select.js';
import { KERNEL_KEEP_BYTES, wasmKernels, wasmSimdAvailable } from '../src/linalg/kernels/wasm.js';
import { rowJacobi } from '../src/linalg/jacobi-svd.js';
import { applyQ, pairedQr, upperFactor } from '../src/linalg/qr.js';
import { symmetricEigen } from '../src/linalg/symmetric-eigen.js';
import { planThinSvd, thinSvd } from '../src/linalg/svd.js';
import { rng } from './helpers.js';

// The WebAssembly SIMD kernels against the plain-JS reference they mirror. Node 20 runs
// WebAssembly SIMD, so here the wasm path must be there; elsewhere 'auto' falls back to js.

const W = wasmKernels()!;

function random(n: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n }, () => r() - 0.5);
}

/** max |a − b| over max |b| (1 when b is all zero and a is not). */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return s === 0 ? (d === 0 ? 0 : 1) : d / s;
}

/** Column-stored len × cols matrix with column norms graded from 1 down to 10^-decades (ill-conditioned). */
function graded(len: number, cols: number, decades: number, seed: number): Float64Array {
  const a = random(len * cols, seed);
  for (let c = 0; c < cols; c++) {
    const f = 10 ** ((-decades * c) / Math.max(cols - 1, 1));
    for (let i = 0; i < len; i++) a[c * len + i] *= f;
  }
  return a;
}

/** Q·R of a QR result rebuilt column by column (R from upperFactor, Q applied by applyQ): the input matrix. */
function rebuild(qr: ReturnType<typeof pairedQr>): Float64Array {
  const { len, cols, steps } = qr;
  const R = upperFactor(qr);
  const z = new Float64Array(len * cols);
  for (let c = 0; c < cols; c++) for (let i = 0; i < steps; i++) z[c * len + i] = R[i * cols + c];
  return applyQ(qr, z, cols);
}

describe('the compiled module', () => {
  it('the committed bytes are a fresh compile of the committed AssemblyScript source', () => {
    const fresh = execFileSync(process.execPath, [join(__dirname, '..', 'src/linalg/kernels/wasm/build.mjs'), '--stdout'], { encoding: 'utf8' });
    expect(fresh.length).toBeGreaterThan(1000);
    expect(fresh).toBe(KERNELS_WASM_BASE64);
  }, 60_000);

  it("validates here (Node 20 has WebAssembly SIMD), so 'auto' is the wasm path", () => {
    expect(wasmSimdAvailable()).toBe(true);
    expect(autoKernel()).toBe('wasm');
    expect(kernelsFor('auto').name).toBe('wasm');
    expect(kernelsFor('js')).toBe(JS_KERNELS);
  });

  it("setAutoKernel decides what 'auto' means; an explicit choice still wins; bad values are named", () => {
    setAutoKernel('js');
    try {
      expect(kernelsFor('auto').name).toBe('js');
      expect(kernelsFor('wasm').name).toBe('wasm');
    } finally {
      setAutoKernel(null);
    }
    expect(kernelsFor('auto').name).toBe('wasm');
    expect(() => setAutoKernel('simd' as 'js')).toThrow("setAutoKernel: expected 'wasm', 'js' or null; got simd");
    expect(() => kernelsFor('gpu' as 'js')).toThrow("thinSvd: kernel must be 'auto', 'wasm' or 'js'; got gpu");
    expect(() => thinSvd(random(6, 1), 2, 3, 0, 3, { kernel: 'fast' as 'js' })).toThrow("thinSvd: kernel must be 'auto', 'wasm' or 'js'; got fast");
  });
});

describe('pairedQr: wasm against the plain-JS reference', () => {
  const shapes: [number, number][] = [
    [1, 1], [2, 1], [1, 2], [1, 3], [3, 1], [2, 2], [2, 3], [3, 2], [3, 3], [4, 3], [5, 4], [7, 4],
    [9, 9], [8, 5], [31, 17], [17, 31], [64, 33], [33, 64], [101, 6], [200, 57],
  ];
  it.each(shapes)('random %i × %i: reflectors, R and τ to 1e-13 relative', (len, cols) => {
    const a = random(len * cols, len * 131 + cols);
    const js = pairedQr(a.slice(), len, cols);
    const wa = W.pairedQr(a.slice(), len, cols);
    expect(wa.steps).toBe(js.steps);
    expect(Array.from(wa.perm)).toEqual(Array.from(js.perm));
    expect(relDiff(wa.a, js.a)).toBeLessThan(1e-13);
    expect(relDiff(wa.tau, js.tau)).toBeLessThan(1e-13);
    // and the factorisation is one of the input (independent of the JS path)
    expect(relDiff(rebuild(wa), a)).toBeLessThan(1e-13);
  });

  it.each([[60, 20, 12], [121, 40, 14], [35, 35, 10]] as const)('ill-conditioned %i × %i (column norms 1 … 1e-%i): R to ε·‖A‖, rebuilds A', (len, cols, dec) => {
    const a = graded(len, cols, dec, 7 + len);
    const js = pairedQr(a.slice(), len, cols);
    const wa = W.pairedQr(a.slice(), len, cols);
    const Rj = upperFactor(js);
    const Rw = upperFactor(wa);
    expect(relDiff(Rw, Rj)).toBeLessThan(1e-13);
    expect(relDiff(rebuild(wa), a)).toBeLessThan(1e-13);
    // graded columns: the small diagonal entries agree relative to themselves, not only to ‖A‖
    for (let j = 0; j < Math.min(len, cols); j++) {
      expect(Math.abs(Rw[j * cols + j] - Rj[j * cols + j])).toBeLessThan(1e-9 * Math.abs(Rj[j * cols + j]));
    }
  });

  it('zero and repeated columns: the same reflectors are skipped (τ = 0) and R has the same zeros', () => {
    const len = 9;
    const cols = 6;
    const a = new Float64Array(len * cols);
    const r = rng(3);
    for (let i = 0; i < len; i++) {
      const v = r() - 0.5;
      a[i] = v;
      a[2 * len + i] = v; // column 2 = column 0
      a[3 * len + i] = r() - 0.5;
      a[5 * len + i] = 2 * v; // column 5 = 2 × column 0; column 1 and 4 stay zero
    }
    const js = pairedQr(a.slice(), len, cols);
    const wa = W.pairedQr(a.slice(), len, cols);
    expect(Array.from(wa.tau, (t) => t === 0)).toEqual(Array.from(js.tau, (t) => t === 0));
    expect(js.tau[1]).toBe(0);
    expect(relDiff(upperFactor(wa), upperFactor(js))).toBeLessThan(1e-13);
    expect(relDiff(rebuild(wa), a)).toBeLessThan(1e-13);
  });

  it('huge and tiny columns (the scaled norm): same factors as JS', () => {
    for (const f of [1e-160, 1e160]) {
      const a = random(15 * 4, 9).map((v) => v * f);
      const js = pairedQr(a.slice(), 15, 4);
      const wa = W.pairedQr(a.slice(), 15, 4);
      expect(relDiff(upperFactor(wa), upperFactor(js))).toBeLessThan(1e-13);
      expect(relDiff(wa.tau, js.tau)).toBeLessThan(1e-13);
    }
  });
});

describe('rowGram, rowProduct, combineRows: wasm against the plain-JS reference', () => {
  const lens = [1, 2, 3, 4, 5, 17, 64, 129];
  const counts = [1, 2, 3, 4, 5, 6, 7, 9];
  it('rowGram over counts × lengths, with a stride and an offset', () => {
    for (const n of counts) {
      for (const len of lens) {
        const stride = len + 3;
        const offset = 2;
        const x = random(n * stride + offset, n * 1000 + len);
        expect(relDiff(W.rowGram(x, n, stride, offset, len), rowGram(x, n, stride, offset, len))).toBeLessThan(1e-14);
      }
    }
  });

  it('rowProduct over row counts (na, nb) × lengths, different strides and offsets for A and B', () => {
    for (const na of counts) {
      for (const nb of [1, 3, 4, 5, 8, 11]) {
        for (const len of lens) {
          const a = random(na * (len + 1) + 1, na + 7 * nb + len);
          const b = random(nb * (len + 5) + 4, na + 11 * nb + len);
          const want = rowProduct(a, na, len + 1, 1, b, nb, len + 5, 4, len);
          expect(relDiff(W.rowProduct(a, na, len + 1, 1, b, nb, len + 5, 4, len), want)).toBeLessThan(1e-14);
        }
      }
    }
  });

  it('combineRows over output rows p × input rows n × lengths, strided input, zero coefficients', () => {
    for (const p of [1, 2, 3, 4, 5, 7, 9]) {
      for (const n of [1, 2, 3, 5, 6]) {
        for (const len of lens) {
          const c = random(p * n, p * 31 + n);
          c[0] = 0;
          const x = random(n * (len + 2) + 3, p + n + len);
          const want = combineRows(c, p, n, x, len + 2, 3, len);
          expect(relDiff(W.combineRows(c, p, n, x, len + 2, 3, len), want)).toBeLessThan(1e-14);
        }
      }
    }
  });

  it('takes Float32Array and plain-array inputs like the JS path, and writes into a given out array', () => {
    const x32 = Float32Array.from(random(5 * 13, 4));
    const plain = Array.from(random(3 * 13, 5));
    expect(relDiff(W.rowGram(x32, 5, 13, 0, 13), rowGram(x32, 5, 13, 0, 13))).toBeLessThan(1e-14);
    expect(relDiff(W.rowProduct(plain, 3, 13, 0, x32, 5, 13, 0, 13), rowProduct(plain, 3, 13, 0, x32, 5, 13, 0, 13))).toBeLessThan(1e-14);
    const out = new Float64Array(2 * 13).fill(7);
    const got = W.combineRows([1, 2, 3, -1, 0.5, 2], 2, 3, plain, 13, 0, 13, out);
    expect(got).toBe(out);
    expect(relDiff(out, combineRows([1, 2, 3, -1, 0.5, 2], 2, 3, plain, 13, 0, 13))).toBeLessThan(1e-15);
  });

  it('ill-conditioned rows (norms 1 … 1e-12): the products agree to rounding of the large entries', () => {
    const n = 7;
    const len = 61;
    const x = graded(len, n, 12, 21); // n rows of length len, graded
    const g = W.rowGram(x, n, len, 0, len);
    const want = rowGram(x, n, len, 0, len);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      const scale = Math.sqrt(want[i * n + i] * want[j * n + j]);
      expect(Math.abs(g[i * n + j] - want[i * n + j])).toBeLessThan(1e-14 * scale);
    }
  });

  it('an instance that grew past KERNEL_KEEP_BYTES is let go after the call; the next one starts small', () => {
    const before = wasmKernels()!;
    const len = KERNEL_KEEP_BYTES / 8 / 2 + 1000; // two rows: just over the bound
    const x = random(2 * len, 78);
    const g = before.rowGram(x, 2, len, 0, len);
    expect(before.memoryBytes).toBeGreaterThan(KERNEL_KEEP_BYTES);
    // 4·10⁶-term sums: the sequential JS sum's rounding grows with the length
    expect(relDiff(g, rowGram(x, 2, len, 0, len))).toBeLessThan(1e-11);
    const next = wasmKernels()!;
    expect(next).not.toBe(before);
    expect(next.memoryBytes).toBeLessThan(KERNEL_KEEP_BYTES);
    expect(kernelsFor('wasm').rowGram).toBe(next.rowGram);
    const small = random(3 * 7, 2);
    expect(relDiff(next.rowGram(small, 3, 7, 0, 7), rowGram(small, 3, 7, 0, 7))).toBeLessThan(1e-14);
  });

  it('hold: a held operand is read in place by the calls that pass it (same results), others are copied; release ends it', () => {
    const K = kernelsFor('wasm');
    const d = 37;
    const m = 23;
    const stride = 25;
    const x = random(d * stride + 3, 31);
    const omega = random(5 * m, 32);
    const other = random(d * stride + 3, 33);
    K.hold(x, d, stride, 3, m);
    try {
      expect(relDiff(K.rowProduct(omega, 5, m, 0, x, d, stride, 3, m), rowProduct(omega, 5, m, 0, x, d, stride, 3, m))).toBeLessThan(1e-14);
      const c = random(4 * d, 34);
      expect(relDiff(K.combineRows(c, 4, d, x, stride, 3, m), combineRows(c, 4, d, x, stride, 3, m))).toBeLessThan(1e-14);
      // rows inside the held span (a later offset, fewer rows) are read in place too
      expect(relDiff(K.rowGram(x, 5, stride, 3 + stride, m), rowGram(x, 5, stride, 3 + stride, m))).toBeLessThan(1e-14);
      // another array of the same shape is copied, not confused with the held one
      expect(relDiff(K.rowProduct(omega, 5, m, 0, other, d, stride, 3, m), rowProduct(omega, 5, m, 0, other, d, stride, 3, m))).toBeLessThan(1e-14);
    } finally {
      K.release();
    }
    // after release a changed x is copied again
    x[3] += 1;
    expect(relDiff(K.rowProduct(omega, 5, m, 0, x, d, stride, 3, m), rowProduct(omega, 5, m, 0, x, d, stride, 3, m))).toBeLessThan(1e-14);
  });

  it('memory grows for a large operand and the results stay right', () => {
    const len = 300_000;
    const x = random(2 * len, 77);
    const before = W.memoryBytes;
    const g = W.rowGram(x, 2, len, 0, len);
    expect(W.memoryBytes).toBeGreaterThanOrEqual(Math.max(before, 2 * len * 8));
    expect(relDiff(g, rowGram(x, 2, len, 0, len))).toBeLessThan(1e-13);
  });
});

describe('rowJacobi: wasm against the plain-JS reference', () => {
  /** Rows of an upper-triangular factor with graded rows (what thinSvd hands Jacobi), or plain random rows. */
  function rowsOf(rows: number, cols: number, decades: number, seed: number, triangular: boolean): Float64Array {
    const m = random(rows * cols, seed);
    for (let p = 0; p < rows; p++) {
      const f = 10 ** ((-decades * p) / Math.max(rows - 1, 1));
      for (let t = 0; t < cols; t++) m[p * cols + t] = triangular && t < p ? 0 : m[p * cols + t] * f;
    }
    return m;
  }
  it.each([
    [1, 1, 0, false], [1, 5, 0, false], [2, 2, 0, false], [3, 2, 0, false], [2, 3, 0, false], [5, 5, 0, false],
    [7, 9, 0, false], [16, 16, 6, true], [33, 33, 12, true], [40, 61, 3, false], [61, 40, 3, false],
  ] as const)('%i × %i rows (norms 1 … 1e-%i, triangular %s): values to 1e-13·σ₁ relative, rows to ε·σ₁', (rows, cols, dec, tri) => {
    const M = rowsOf(rows, cols, dec, rows * 17 + cols, tri);
    const Mj = M.slice();
    const Mw = M.slice();
    const js = rowJacobi(Mj, rows, cols);
    const wa = W.rowJacobi(Mw, rows, cols);
    expect(wa.values.length).toBe(rows);
    for (let p = 0; p < rows; p++) {
      expect(Math.abs(wa.values[p] - js.values[p])).toBeLessThan(1e-13 * js.values[0]);
      // the rotated rows: σ_p·w_pᵀ up to sign, as far as σ_p is separated from its neighbours
      const gap = Math.min(p > 0 ? js.values[p - 1] - js.values[p] : Infinity, p + 1 < rows ? js.values[p] - js.values[p + 1] : Infinity);
      if (gap < 1e-3 * js.values[0]) continue;
      const a = wa.order[p] * cols;
      const b = js.order[p] * cols;
      let dot = 0;
      for (let t = 0; t < cols; t++) dot += Mw[a + t] * Mj[b + t];
      const sign = dot < 0 ? -1 : 1;
      for (let t = 0; t < cols; t++) expect(Math.abs(sign * Mw[a + t] - Mj[b + t])).toBeLessThan(1e-10 * js.values[0]);
    }
    // the rows came out orthogonal (independent of the JS path)
    for (let p = 0; p < rows; p++) for (let q = p + 1; q < rows; q++) {
      let g = 0;
      for (let t = 0; t < cols; t++) g += Mw[p * cols + t] * Mw[q * cols + t];
      expect(Math.abs(g)).toBeLessThan(1e-13 * js.values[0] * js.values[0]);
    }
  });

  it('zero rows stay zero and count as zero singular values', () => {
    const M = rowsOf(6, 8, 0, 4, false);
    M.fill(0, 2 * 8, 3 * 8);
    const wa = W.rowJacobi(M.slice(), 6, 8);
    const js = rowJacobi(M.slice(), 6, 8);
    expect(wa.values[5]).toBe(0);
    expect(js.values[5]).toBe(0);
    expect(relDiff(wa.values, js.values)).toBeLessThan(1e-14);
  });
});

describe('symmetricEigen: wasm against the plain-JS reference', () => {
  /** A symmetric n × n matrix Q diag(λ) Qᵀ with λ graded over `decades`, from the JS QR of a random matrix. */
  function symmetric(n: number, decades: number, seed: number, repeated = false): { a: Float64Array; lambda: Float64Array } {
    const qr = pairedQr(random(n * n, seed), n, n);
    const Q = new Float64Array(n * n);
    for (let j = 0; j < n; j++) Q[j * n + j] = 1;
    applyQ(qr, Q, n); // column j of Q (stored as row j) is Q e_j
    const lambda = Float64Array.from({ length: n }, (_, i) => (repeated && i < n / 2 ? 1 : 10 ** ((-decades * i) / Math.max(n - 1, 1))) * (i % 3 === 2 ? -1 : 1));
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += Q[p * n + i] * lambda[p] * Q[p * n + j];
      a[i * n + j] = s;
    }
    return { a, lambda };
  }
  it.each([[1, 0], [2, 0], [3, 2], [4, 0], [5, 3], [16, 8], [33, 12], [64, 4], [157, 10]] as const)('%i × %i-decade spectrum: values to 1e-13·|λ|max, A v = λ v, vectors as JS where separated', (n, dec) => {
    const { a, lambda } = symmetric(n, dec, n + dec);
    const js = symmetricEigen(a, n);
    const wa = W.symmetricEigen(a, n);
    const big = Math.max(...Array.from(lambda, Math.abs));
    const want = Array.from(lambda).sort((x, y) => y - x);
    for (let i = 0; i < n; i++) {
      expect(Math.abs(wa.values[i] - js.values[i])).toBeLessThan(1e-13 * big);
      expect(Math.abs(wa.values[i] - want[i])).toBeLessThan(1e-12 * big);
      let res = 0;
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let c = 0; c < n; c++) s += a[r * n + c] * wa.vectors[i * n + c];
        res = Math.max(res, Math.abs(s - wa.values[i] * wa.vectors[i * n + r]));
      }
      expect(res).toBeLessThan(1e-12 * big);
      const gap = Math.min(i > 0 ? want[i - 1] - want[i] : Infinity, i + 1 < n ? want[i] - want[i + 1] : Infinity);
      if (gap < 1e-2 * big) continue;
      let dot = 0;
      for (let c = 0; c < n; c++) dot += wa.vectors[i * n + c] * js.vectors[i * n + c];
      expect(Math.abs(Math.abs(dot) - 1)).toBeLessThan(1e-12);
    }
  });

  it('a repeated eigenvalue (half the spectrum at 1): the eigenspace is orthonormal and exact', () => {
    const n = 12;
    const { a } = symmetric(n, 3, 4, true);
    const wa = W.symmetricEigen(a, n);
    const js = symmetricEigen(a, n);
    expect(relDiff(wa.values, js.values)).toBeLessThan(1e-14);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += wa.vectors[i * n + c] * wa.vectors[j * n + c];
      expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-13);
    }
  });

  it('a diagonal matrix and a zero matrix', () => {
    expect(Array.from(W.symmetricEigen([3, 0, 0, 0, -1, 0, 0, 0, 2], 3).values)).toEqual([3, 2, -1]);
    expect(Array.from(W.symmetricEigen(new Float64Array(16), 4).values)).toEqual([0, 0, 0, 0]);
    expect(() => W.symmetricEigen([1, NaN, NaN, 1], 2)).toThrow('symmetricEigen input contains a non-finite value (NaN) at index 1');
  });
});

describe("thinSvd with kernel 'wasm' against kernel 'js'", () => {
  /** Rows of a d × m matrix with singular values 1 … 10^-decades (random orthogonal-ish factors). */
  function spectrum(d: number, m: number, decades: number, seed: number): Float64Array {
    const k = Math.min(d, m);
    const U = random(d * k, seed);
    const V = random(m * k, seed + 1);
    const x = new Float64Array(d * m);
    for (let p = 0; p < k; p++) {
      const s = 10 ** ((-decades * p) / Math.max(k - 1, 1));
      for (let i = 0; i < d; i++) for (let t = 0; t < m; t++) x[i * m + t] += U[i * k + p] * s * V[t * k + p];
    }
    return x;
  }
  function agree(x: Float64Array, d: number, m: number, stride: number, offset: number, options = {}) {
    const js = thinSvd(x, d, stride, offset, m, { ...options, kernel: 'js' });
    const wa = thinSvd(x, d, stride, offset, m, { ...options, kernel: 'wasm' });
    expect(wa.method).toBe(js.method);
    expect(wa.rank).toBe(js.rank);
    for (let p = 0; p < js.values.length; p++) expect(Math.abs(wa.values[p] - js.values[p])).toBeLessThan(1e-12 * js.values[0]);
    // vectors up to sign, p with σ_p ≥ 1e-4 σ₁: error ≈ ε σ₁/σ_p
    for (let p = 0; p < js.rank; p++) {
      if (js.values[p] < 1e-4 * js.values[0]) break;
      const tol = 1e-12 * (js.values[0] / js.values[p]);
      for (const [a, b, n] of [[wa.u, js.u, d], [wa.v, js.v, m]] as const) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += a[p * n + i] * b[p * n + i];
        const sign = dot < 0 ? -1 : 1;
        let e = 0;
        for (let i = 0; i < n; i++) e = Math.max(e, Math.abs(sign * a[p * n + i] - b[p * n + i]));
        expect(e).toBeLessThan(tol);
      }
    }
    return { js, wa };
  }

  it.each([[120, 37], [37, 120], [64, 64], [1, 9], [9, 1], [3, 2], [2, 3]] as const)('%i × %i, σ from 1 to 1e-8: values to 1e-12·σ₁, vectors to 1e-12·σ₁/σ_p', (d, m) => {
    agree(spectrum(d, m, 8, d * 7 + m), d, m, m, 0);
  });

  it('a strided, offset view (fitRows passes X as rows of n = m + 1 snapshots)', () => {
    const d = 41;
    const n = 98;
    const rows = random(d * n + 5, 8);
    agree(rows, d, n - 1, n, 1);
  });

  it('zero rows left out of the wide case, and a rank rule', () => {
    const d = 30;
    const m = 80;
    const x = spectrum(d, m, 6, 5);
    x.fill(0, 4 * m, 6 * m);
    const { js } = agree(x, d, m, m, 0, { rank: (v: Float64Array) => v.filter((s) => s > 1e-3 * v[0]).length });
    expect(js.rank).toBeGreaterThan(3);
  });

  it('the randomized route (fixed rank 8 on 2000 × 300)', () => {
    const x = spectrum(2000, 300, 10, 3);
    const { js, wa } = agree(x, 2000, 300, 300, 0, { rank: 8, method: 'randomized' });
    expect(js.method).toBe('randomized');
    expect(wa.rank).toBe(8);
  });

  it('an all-zero wide matrix (every row left out): no singular vectors, zero values, either kernel', () => {
    for (const kernel of ['wasm', 'js'] as const) {
      const s = thinSvd(new Float64Array(4 * 9), 4, 9, 0, 9, { kernel });
      expect(s.rank).toBe(0);
      expect(Array.from(s.values)).toEqual([0, 0, 0, 0]);
      expect(s.kernel).toBe(kernel);
    }
  });

  it("the plan counts the kernel's copies; 'auto' takes js when they would cross maxBytes, an explicit 'wasm' is refused", () => {
    const d = 300;
    const m = 40;
    const js = planThinSvd(d, m, { kernel: 'js' });
    const wa = planThinSvd(d, m, { kernel: 'wasm' });
    expect(js.kernel).toBe('js');
    expect(wa.kernel).toBe('wasm');
    // X (d·(m + 1) doubles: a strided view) and the vectors it is multiplied with (m·(d + m)), plus 2·k
    expect(wa.bytes - js.bytes).toBe(8 * (d * (m + 1) + m * (d + m) + 2 * m));
    expect(planThinSvd(d, m)).toEqual(wa);
    const between = { maxBytes: js.bytes + 8 };
    expect(planThinSvd(d, m, between)).toEqual(js);
    const x = random(d * m, 12);
    const s = thinSvd(x, d, m, 0, m, between);
    expect(s.kernel).toBe('js');
    expect(s.bytes).toBe(js.bytes);
    expect(thinSvd(x, d, m, 0, m).kernel).toBe('wasm');
    expect(() => thinSvd(x, d, m, 0, m, { ...between, kernel: 'wasm' })).toThrow(/thinSvd: the qr route needs \d+ MiB for 300 × 40/);
    // the randomized route: X and p = rank + oversample vectors
    const rj = planThinSvd(20000, 500, { rank: 5, kernel: 'js' });
    const rw = planThinSvd(20000, 500, { rank: 5, kernel: 'wasm' });
    expect(rj.method).toBe('randomized');
    expect(rw.bytes - rj.bytes).toBe(8 * (20000 * 501 + 15 * 20500));
  });

  it('NaN and ±Infinity are refused before any decomposition, whichever kernel', () => {
    for (const kernel of ['wasm', 'js'] as const) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const x = random(6 * 10, 2);
        x[3 * 10 + 4] = bad;
        const copy = x.slice();
        expect(() => thinSvd(x, 6, 10, 0, 10, { kernel })).toThrow(`thinSvd: non-finite value (${bad}) at row 3, column 4; refusing to decompose`);
        expect(Array.from(x)).toEqual(Array.from(copy));
      }
    }
  });
});
