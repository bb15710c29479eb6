import { Matrix, QrDecomposition, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  applyQ,
  combineRows,
  gaussianRows,
  pairedQr,
  pivotedQr,
  planThinSvd,
  rowProduct,
  SvdWorkspace,
  thinSvd,
  upperFactor,
} from '../src/linalg/index.js';
import { rng } from './helpers.js';

function random(d: number, m: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: d * m }, () => r() - 0.5);
}

/** Orthonormal columns (n × k, row-major) from ml-matrix's QR: independent of our QR. */
function orthonormal(n: number, k: number, seed: number): Float64Array {
  const g = new Matrix(n, k);
  const x = gaussianRows(n, k, seed);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) g.set(i, j, x[i * k + j]);
  const q = new QrDecomposition(g).orthogonalMatrix;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[i * k + j] = q.get(i, j);
  return out;
}

/** X = U diag(σ) Vᵀ (d × m) from orthonormal U (d × k) and V (m × k). */
function fromFactors(U: Float64Array, V: Float64Array, sigma: ArrayLike<number>, d: number, m: number): Float64Array {
  const k = sigma.length;
  const X = new Float64Array(d * m);
  for (let i = 0; i < d; i++) {
    for (let t = 0; t < m; t++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += U[i * k + p] * sigma[p] * V[t * k + p];
      X[i * m + t] = s;
    }
  }
  return X;
}

function mlSingularValues(X: Float64Array, d: number, m: number): number[] {
  const M = new Matrix(d, m);
  for (let i = 0; i < d; i++) for (let t = 0; t < m; t++) M.set(i, t, X[i * m + t]);
  return new SingularValueDecomposition(M, { autoTranspose: true }).diagonal;
}

/** max |U Σ Vᵀ − X| and the worst deviation of the vector rows from orthonormality. */
function checkFactors(X: Float64Array, d: number, m: number, s: ReturnType<typeof thinSvd>) {
  let recon = 0;
  for (let i = 0; i < d; i++) {
    for (let t = 0; t < m; t++) {
      let a = 0;
      for (let p = 0; p < s.rank; p++) a += s.u[p * d + i] * s.values[p] * s.v[p * m + t];
      recon = Math.max(recon, Math.abs(a - X[i * m + t]));
    }
  }
  let orth = 0;
  for (const [vec, len] of [
    [s.u, d],
    [s.v, m],
  ] as [Float64Array, number][]) {
    for (let p = 0; p < s.rank; p++) {
      for (let q = 0; q <= p; q++) {
        let dot = 0;
        for (let i = 0; i < len; i++) dot += vec[p * len + i] * vec[q * len + i];
        orth = Math.max(orth, Math.abs(dot - (p === q ? 1 : 0)));
      }
    }
  }
  return { recon, orth };
}

describe('thinSvd against ml-matrix', () => {
  for (const [d, m] of [
    [40, 17],
    [17, 40],
    [25, 25],
    [6, 1],
    [1, 6],
  ]) {
    it(`${d} × ${m}: singular values to 1e-13·σ₁, X = UΣVᵀ, orthonormal vectors`, () => {
      const X = random(d, m, 31 * d + m);
      const s = thinSvd(X, d, m, 0, m);
      const ref = mlSingularValues(X, d, m);
      expect(s.values).toHaveLength(Math.min(d, m));
      for (let i = 0; i < Math.min(d, m); i++) expect(Math.abs(s.values[i] - ref[i])).toBeLessThan(1e-13 * ref[0]);
      const c = checkFactors(X, d, m, s);
      expect(c.recon).toBeLessThan(1e-13);
      expect(c.orth).toBeLessThan(1e-12);
      expect(s.method).toBe('qr');
    });
  }

  it('reads a strided, offset view (the fit layout) like a packed copy', () => {
    const d = 9;
    const n = 30;
    const rows = random(d, n, 4);
    const packed = new Float64Array(d * (n - 1));
    for (let i = 0; i < d; i++) for (let t = 0; t < n - 1; t++) packed[i * (n - 1) + t] = rows[i * n + 1 + t];
    const a = thinSvd(rows, d, n, 1, n - 1);
    const b = thinSvd(packed, d, n - 1, 0, n - 1);
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
  });
});

describe('thinSvd accuracy on known factors (σ from 1 to 1e-9)', () => {
  for (const [d, m] of [
    [240, 80],
    [80, 240],
  ]) {
    it(`${d} × ${m}: relative error ≤ 1e-6 wherever σ/σ₁ ≥ 1e-7`, () => {
      const k = 80;
      const sigma = Float64Array.from({ length: k }, (_, i) => 10 ** ((-9 * i) / (k - 1)));
      const X = fromFactors(orthonormal(d, k, 5), orthonormal(m, k, 6), sigma, d, m);
      const s = thinSvd(X, d, m, 0, m, { rank: 0 });
      let checked = 0;
      for (let p = 0; p < k; p++) {
        if (sigma[p] < 1e-7) continue;
        expect(Math.abs(s.values[p] - sigma[p]) / sigma[p]).toBeLessThan(1e-6);
        checked++;
      }
      expect(checked).toBe(62); // σ_p = 10^(−9p/79) ≥ 1e-7 for p ≤ 61
      // and the smallest ones are still accurate to ~ε·σ₁ in absolute terms
      for (let p = 0; p < k; p++) expect(Math.abs(s.values[p] - sigma[p])).toBeLessThan(1e-13);
    });
  }
});

describe('thinSvd on rank-deficient and degenerate input', () => {
  it('rank 3 with constant (zero) rows: three values, the rest ≤ 1e-14·σ₁, vectors of the three exact', () => {
    const d = 30;
    const m = 20;
    const X = fromFactors(orthonormal(d, 3, 1), orthonormal(m, 3, 2), [5, 2, 0.5], d, m);
    for (const i of [0, 7, 29]) for (let t = 0; t < m; t++) X[i * m + t] = 0;
    const s = thinSvd(X, d, m, 0, m);
    expect(s.values[0]).toBeGreaterThan(1);
    for (let p = 3; p < m; p++) expect(s.values[p]).toBeLessThan(1e-14 * s.values[0]);
    const ref = mlSingularValues(X, d, m);
    for (let p = 0; p < 3; p++) expect(Math.abs(s.values[p] - ref[p])).toBeLessThan(1e-13);
    const three = thinSvd(X, d, m, 0, m, { rank: 3 });
    expect(checkFactors(X, d, m, three).recon).toBeLessThan(1e-13);
    // the zeroed coordinates have no weight in the left vectors
    for (let p = 0; p < 3; p++) for (const i of [0, 7, 29]) expect(Math.abs(three.u[p * d + i])).toBeLessThan(1e-15);
  });

  it('wide input with zero rows (left out of the QR): same values as ml-matrix, zero weight on the dead rows', () => {
    const d = 20;
    const m = 30;
    const X = fromFactors(orthonormal(d, 4, 3), orthonormal(m, 4, 4), [3, 1, 0.2, 0.01], d, m);
    for (const i of [0, 7, 19]) for (let t = 0; t < m; t++) X[i * m + t] = 0;
    const s = thinSvd(X, d, m, 0, m, { rank: 4 });
    const ref = mlSingularValues(X, d, m);
    expect(s.values).toHaveLength(d);
    for (let p = 0; p < d; p++) expect(Math.abs(s.values[p] - ref[p])).toBeLessThan(1e-14 * ref[0]);
    const c = checkFactors(X, d, m, s);
    expect(c.recon).toBeLessThan(1e-14);
    expect(c.orth).toBeLessThan(1e-12);
    for (let p = 0; p < 4; p++) for (const i of [0, 7, 19]) expect(s.u[p * d + i]).toBe(0);
  });

  it('many identical constant rows (weights that never moved, no centring): finite, and the values of ml-matrix', () => {
    const d = 120;
    const m = 200;
    const X = random(d, m, 5);
    for (let i = 0; i < 70; i++) for (let t = 0; t < m; t++) X[i * m + t] = 0.01 * (1 + (i % 7));
    const s = thinSvd(X, d, m, 0, m);
    expect(s.values.every(Number.isFinite)).toBe(true);
    const ref = mlSingularValues(X, d, m);
    for (let p = 0; p < d; p++) expect(Math.abs(s.values[p] - ref[p])).toBeLessThan(1e-13 * ref[0]);
    expect(checkFactors(X, d, m, s).recon).toBeLessThan(1e-13);
  });

  it('an all-zero matrix has rank 0 and zero singular values', () => {
    const s = thinSvd(new Float64Array(12), 3, 4, 0, 4);
    expect(s.rank).toBe(0);
    expect(Array.from(s.values)).toEqual([0, 0, 0]);
  });

  it('refuses NaN and Infinity before decomposing, naming row and column', () => {
    const X = random(4, 5, 1);
    X[2 * 5 + 3] = NaN;
    expect(() => thinSvd(X, 4, 5, 0, 5)).toThrow(/non-finite value \(NaN\) at row 2, column 3/);
    X[2 * 5 + 3] = Infinity;
    expect(() => thinSvd(X, 4, 5, 0, 5)).toThrow(/non-finite value \(Infinity\) at row 2, column 3/);
  });

  it('rejects unknown options, a randomized request without a rank, and memory over the bound', () => {
    const X = random(4, 5, 1);
    expect(() => thinSvd(X, 4, 5, 0, 5, { rnak: 2 } as never)).toThrow(/unknown option 'rnak'/);
    expect(() => thinSvd(X, 4, 5, 0, 5, { method: 'randomized' })).toThrow(/needs a numeric rank/);
    expect(() => thinSvd(X, 4, 5, 0, 5, { maxBytes: 100 })).toThrow(/qr route needs 0 MiB for 4 × 5 \(bound 0 MiB\)/);
    expect(planThinSvd(15700, 701).bytes).toBeGreaterThan(15700 * 701 * 8);
    expect(planThinSvd(15700, 701).bytes).toBeLessThan(2 ** 30);
  });
});

describe('randomized route against the QR route', () => {
  it('low rank + noise (600 × 300, rank 5): top-5 values to 1e-9 relative, same subspaces', () => {
    const d = 600;
    const m = 300;
    const sigma = [40, 20, 10, 5, 2.5];
    const X = fromFactors(orthonormal(d, 5, 8), orthonormal(m, 5, 9), sigma, d, m);
    const noise = gaussianRows(d, m, 10);
    for (let i = 0; i < X.length; i++) X[i] += 1e-6 * noise[i];
    const exact = thinSvd(X, d, m, 0, m, { rank: 5, method: 'qr' });
    const fast = thinSvd(X, d, m, 0, m, { rank: 5, method: 'randomized' });
    expect(fast.method).toBe('randomized');
    expect(fast.values).toHaveLength(15); // r + oversample
    for (let p = 0; p < 5; p++) {
      expect(Math.abs(fast.values[p] - exact.values[p]) / exact.values[p]).toBeLessThan(1e-9);
      let du = 0;
      let dv = 0;
      for (let i = 0; i < d; i++) du += fast.u[p * d + i] * exact.u[p * d + i];
      for (let t = 0; t < m; t++) dv += fast.v[p * m + t] * exact.v[p * m + t];
      expect(Math.abs(Math.abs(du) - 1)).toBeLessThan(1e-9);
      expect(du * dv).toBeGreaterThan(0); // signs paired
    }
  });

  it("'auto' keeps small problems on the exact route and sends a fixed small rank of a big one to the randomized route", () => {
    expect(planThinSvd(157, 701, { rank: 20 }).method).toBe('qr');
    expect(planThinSvd(15700, 701, { rank: 20 }).method).toBe('randomized');
    expect(planThinSvd(15700, 701).method).toBe('qr');
    expect(planThinSvd(15700, 701, { rank: 0 }).method).toBe('qr'); // values only
  });
});

describe('kernels against plain reference loops', () => {
  it('rowProduct (2×4 blocks) and combineRows (4×2 blocks) on odd sizes, with stride and offset', () => {
    const [na, nb, len, stride, off] = [7, 9, 13, 17, 3];
    const a = random(na, stride, 1);
    const b = random(nb, stride, 2);
    const got = rowProduct(a, na, stride, off, b, nb, stride, off, len);
    for (let i = 0; i < na; i++) {
      for (let j = 0; j < nb; j++) {
        let s = 0;
        for (let t = 0; t < len; t++) s += a[i * stride + off + t] * b[j * stride + off + t];
        expect(got[i * nb + j]).toBeCloseTo(s, 13);
      }
    }
    const c = random(7, 5, 3);
    const x = random(5, stride, 4);
    const comb = combineRows(c, 7, 5, x, stride, off, len);
    for (let k = 0; k < 7; k++) {
      for (let t = 0; t < len; t++) {
        let s = 0;
        for (let i = 0; i < 5; i++) s += c[k * 5 + i] * x[i * stride + off + t];
        expect(comb[k * len + t]).toBeCloseTo(s, 13);
      }
    }
  });

  it('pivoted QR: A·P = Q·R with orthonormal Q and non-increasing |R_jj|', () => {
    const [len, cols] = [23, 11];
    const A = random(cols, len, 7); // column-stored: column j = A[j·len …]
    const qr = pivotedQr(A.slice(), len, cols);
    const R = upperFactor(qr);
    const Q = new Float64Array(cols * len);
    for (let j = 0; j < cols; j++) Q[j * len + j] = 1;
    applyQ(qr, Q, cols);
    for (let j = 0; j < cols; j++) {
      for (let i = 0; i < len; i++) {
        let s = 0;
        for (let l = 0; l < cols; l++) s += Q[l * len + i] * R[l * cols + j];
        expect(s).toBeCloseTo(A[qr.perm[j] * len + i], 13);
      }
      if (j > 0) expect(Math.abs(R[j * cols + j])).toBeLessThanOrEqual(Math.abs(R[(j - 1) * cols + j - 1]) * (1 + 1e-12));
    }
    for (let p = 0; p < cols; p++) {
      for (let q = 0; q < cols; q++) {
        let s = 0;
        for (let i = 0; i < len; i++) s += Q[p * len + i] * Q[q * len + i];
        expect(s).toBeCloseTo(p === q ? 1 : 0, 13);
      }
    }
  });

  it('paired QR (the fast kernel): R equals ml-matrix\'s Householder R up to row signs, and Q·R = A', () => {
    const [len, cols] = [41, 13];
    const A = random(cols, len, 9);
    const qr = pairedQr(A.slice(), len, cols);
    const R = upperFactor(qr);
    const M = new Matrix(len, cols);
    for (let j = 0; j < cols; j++) for (let i = 0; i < len; i++) M.set(i, j, A[j * len + i]);
    const ref = new QrDecomposition(M).upperTriangularMatrix;
    for (let i = 0; i < cols; i++) {
      const sign = Math.sign(R[i * cols + i]) * Math.sign(ref.get(i, i));
      for (let j = 0; j < cols; j++) expect(R[i * cols + j]).toBeCloseTo(sign * ref.get(i, j), 13);
    }
    const Q = new Float64Array(cols * len);
    for (let j = 0; j < cols; j++) Q[j * len + j] = 1;
    applyQ(qr, Q, cols);
    for (let j = 0; j < cols; j++) {
      for (let i = 0; i < len; i++) {
        let s = 0;
        for (let l = 0; l <= j; l++) s += Q[l * len + i] * R[l * cols + j];
        expect(s).toBeCloseTo(A[j * len + i], 13);
      }
    }
  });

  it('a shared workspace gives the same answers as fresh scratch, decomposition after decomposition', () => {
    const work = new SvdWorkspace();
    for (const [d, m] of [
      [30, 50],
      [50, 30],
      [12, 12],
    ]) {
      const X = random(d, m, d + m);
      const a = thinSvd(X, d, m, 0, m, { work });
      const b = thinSvd(X, d, m, 0, m);
      expect(Array.from(a.values)).toEqual(Array.from(b.values));
      expect(Array.from(a.u)).toEqual(Array.from(b.u));
    }
    expect(work.bytes).toBeGreaterThan(0);
  });
});
