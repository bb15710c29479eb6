import { Matrix, QrDecomposition, SingularValueDecomposition, inverse, pseudoInverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { fitPairs, pairsOperator, PAIRS_DEFAULTS } from '../src/koopman/pairs.js';
import { rng } from './helpers.js';

function random(rows: number, cols: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: rows * cols }, () => r() - 0.5);
}

function ml(data: ArrayLike<number>, rows: number, cols: number): Matrix {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, data[i * cols + j]);
  return m;
}

function flat(m: Matrix): Float64Array {
  return Float64Array.from(m.to1DArray());
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e;
}

/** Orthonormal columns (n × k) from ml-matrix's QR, independent of the engine's. */
function orthonormal(n: number, k: number, seed: number): Matrix {
  return new QrDecomposition(ml(random(n, k, seed), n, k)).orthogonalMatrix.subMatrix(0, n - 1, 0, k - 1);
}

describe('fitPairs: the engine pairs fit (one thinSvd of X)', () => {
  it('recovers a known linear map and offset exactly when N > p (tall X)', () => {
    const N = 60;
    const p = 7;
    const q = 4;
    const X = random(N, p, 1);
    const K = random(q, p, 2);
    const c = Float64Array.from([0.3, -1, 2, 0.5]);
    const Y = flat(ml(X, N, p).mmul(ml(K, q, p).transpose()).addRowVector(Array.from(c)));
    const fit = fitPairs({ data: X, rows: N, cols: p }, { data: Y, rows: N, cols: q }, { center: true });
    expect(fit.rank).toBe(p);
    expect(fit.singularValues.length).toBe(p);
    expect(maxAbsDiff(pairsOperator(fit), K)).toBeLessThan(1e-12);
    expect(maxAbsDiff(fit.offset, c)).toBeLessThan(1e-12);
    expect(fit.residual).toBeLessThan(1e-13);
    // singular values and condition of the centred X against ml-matrix's SVD
    const Xc = ml(X, N, p);
    const mean = Xc.mean('column');
    Xc.subRowVector(mean);
    const want = new SingularValueDecomposition(Xc).diagonal;
    expect(maxAbsDiff(fit.singularValues, want)).toBeLessThan(1e-12);
    expect(fit.condition).toBeCloseTo(want[0] / want[p - 1], 10);
  });

  it('gives the minimum-norm solution Yᵀ (X⁺)ᵀ when p > N (wide X)', () => {
    const N = 15;
    const p = 40;
    const q = 3;
    const X = random(N, p, 3);
    const Y = random(N, q, 4); // any Y: N < p pairs are interpolated exactly
    const fit = fitPairs({ data: X, rows: N, cols: p }, { data: Y, rows: N, cols: q });
    expect(fit.rank).toBe(N);
    expect(fit.singularValues.length).toBe(N);
    const want = flat(ml(Y, N, q).transpose().mmul(pseudoInverse(ml(X, N, p)).transpose()));
    expect(maxAbsDiff(pairsOperator(fit), want)).toBeLessThan(1e-11);
    expect(fit.residual).toBeLessThan(1e-12);
    // the input basis is orthonormal
    const W = ml(fit.inputBasis, fit.rank, p);
    expect(maxAbsDiff(flat(W.mmul(W.transpose())), flat(Matrix.eye(N)))).toBeLessThan(1e-12);
  });

  it('keeps only the numerical rank of a rank-deficient X and matches the truncated pseudo-inverse', () => {
    const N = 30;
    const p = 8;
    const q = 5;
    const X = flat(ml(random(N, 3, 5), N, 3).mmul(ml(random(3, p, 6), 3, p))); // rank 3
    const Y = random(N, q, 7);
    const fit = fitPairs({ data: X, rows: N, cols: p }, { data: Y, rows: N, cols: q });
    expect(fit.rank).toBe(3);
    expect(fit.singularValues[3] / fit.singularValues[0]).toBeLessThan(1e-14);
    const svd = new SingularValueDecomposition(ml(X, N, p));
    const U = svd.leftSingularVectors.subMatrix(0, N - 1, 0, 2);
    const V = svd.rightSingularVectors.subMatrix(0, p - 1, 0, 2);
    const Sinv = Matrix.diag(svd.diagonal.slice(0, 3).map((s) => 1 / s));
    const want = flat(ml(Y, N, q).transpose().mmul(U).mmul(Sinv).mmul(V.transpose()));
    expect(maxAbsDiff(pairsOperator(fit), want)).toBeLessThan(1e-12);
    // residual = what the rank-3 projection of Y leaves
    const Yh = U.mmul(U.transpose()).mmul(ml(Y, N, q));
    const want_res = Math.sqrt(ml(Y, N, q).sub(Yh).norm() ** 2) / ml(Y, N, q).norm();
    expect(fit.residual).toBeCloseTo(want_res, 12);
  });

  it('applies the rank rule (fixed, energy) and the ridge as closed forms', () => {
    const N = 40;
    const p = 6;
    const q = 2;
    const X = random(N, p, 8);
    const Y = random(N, q, 9);
    const fixed = fitPairs({ data: X, rows: N, cols: p }, { data: Y, rows: N, cols: q }, { rank: 2 });
    expect(fixed.rank).toBe(2);
    expect(fixed.rankRule).toBe('fixed 2');
    const svd = new SingularValueDecomposition(ml(X, N, p));
    const U = svd.leftSingularVectors.subMatrix(0, N - 1, 0, 1);
    const V = svd.rightSingularVectors.subMatrix(0, p - 1, 0, 1);
    const want = ml(Y, N, q).transpose().mmul(U).mmul(Matrix.diag(svd.diagonal.slice(0, 2).map((s) => 1 / s))).mmul(V.transpose());
    expect(maxAbsDiff(pairsOperator(fixed), flat(want))).toBeLessThan(1e-12);
    // ridge: K = Yᵀ X (XᵀX + λI)⁻¹ (here p ≪ N, so the normal equations are a fine reference)
    const lambda = 0.7;
    const ridge = fitPairs({ data: X, rows: N, cols: p }, { data: Y, rows: N, cols: q }, { ridge: lambda });
    const Xm = ml(X, N, p);
    const wantR = ml(Y, N, q).transpose().mmul(Xm).mmul(inverse(Xm.transpose().mmul(Xm).add(Matrix.eye(p).mul(lambda))));
    expect(maxAbsDiff(pairsOperator(ridge), flat(wantR))).toBeLessThan(1e-12);
  });

  it.each([
    [50, 6],
    [6, 50],
  ])('recovers K from an N=%i × p=%i X of condition 1e7, where a Gram matrix (condition 1e14) cannot', (N, p) => {
    const k = Math.min(N, p);
    const q = 3;
    const sigma = [1, 1e-1, 1e-3, 1e-4, 1e-6, 1e-7];
    const V = orthonormal(p, k, 11);
    const X = flat(orthonormal(N, k, 10).mmul(Matrix.diag(sigma)).mmul(V.transpose()));
    const K = ml(random(q, p, 12), q, p);
    const Y = flat(ml(X, N, p).mmul(K.transpose()));
    const fit = fitPairs({ data: X, rows: N, cols: p }, { data: Y, rows: N, cols: q }, { tol: 1e-8 });
    expect(fit.rank).toBe(k);
    expect(fit.condition).toBeCloseTo(1e7, -1);
    // the identifiable part K·V·Vᵀ (all of K when p ≤ N); error bound ≈ ε·κ·‖K‖ ≈ 1e-9, through
    // XᵀX or XXᵀ it is ≈ ε·κ² ≈ 1e-2 (measured 6e-3 with the former Gram fits)
    const want = flat(K.mmul(V).mmul(V.transpose()));
    expect(maxAbsDiff(pairsOperator(fit), want)).toBeLessThan(1e-8);
  });

  it('rejects bad input by message', () => {
    const x = { data: new Float64Array(6), rows: 3, cols: 2 };
    const y = { data: new Float64Array(3), rows: 3, cols: 1 };
    expect(() => fitPairs(x, y, { rnak: 1 } as never)).toThrow(`fitPairs: unknown option 'rnak' (known: ${Object.keys(PAIRS_DEFAULTS).join(', ')})`);
    expect(() => fitPairs(x, { data: new Float64Array(2), rows: 2, cols: 1 })).toThrow('fitPairs: 3 inputs but 2 outputs');
    expect(() => fitPairs({ data: Float64Array.from([1, 2, NaN, 0, 0, 0]), rows: 3, cols: 2 }, y)).toThrow('fitPairs: X has a non-finite value (NaN) in pair 1');
    expect(() => fitPairs(x, y, { ridge: -1 })).toThrow('fitPairs: ridge must be a finite number ≥ 0; got -1');
    expect(() => fitPairs(x, y, { rank: 1.5 })).toThrow('fitPairs: rank must be -1');
    // all-zero X: nothing to fit, rank 0, K = 0
    const zero = fitPairs(x, { data: Float64Array.from([1, 2, 3]), rows: 3, cols: 1 });
    expect(zero.rank).toBe(0);
    expect(Array.from(pairsOperator(zero))).toEqual([0, 0]);
    expect(zero.residual).toBe(1);
  });
});
