import { describe, expect, it } from 'vitest';
import { complexInverse, eigen, geometricSum, chooseRank, rowGram, symmetricEigen, cpow } from '../src/linalg/index.js';
import { rng, matMul } from './helpers.js';

describe('symmetricEigen', () => {
  it('reconstructs a random symmetric matrix with orthonormal vectors, values sorted descending', () => {
    const r = rng(1);
    const n = 23;
    const B = Array.from({ length: n * n }, () => r() - 0.5);
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = B[i * n + j] + B[j * n + i];
    const { values, vectors } = symmetricEigen(A, n);
    for (let k = 1; k < n; k++) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
    let maxErr = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        let dot = 0;
        for (let k = 0; k < n; k++) {
          s += vectors[k * n + i] * values[k] * vectors[k * n + j];
          dot += vectors[i * n + k] * vectors[j * n + k];
        }
        maxErr = Math.max(maxErr, Math.abs(s - A[i * n + j]), Math.abs(dot - (i === j ? 1 : 0)));
      }
    expect(maxErr).toBeLessThan(1e-12);
  });

  it('returns the known spectrum of diag + rank-one structure', () => {
    // J = ones(n): eigenvalues n (once) and 0 (n−1 times)
    const n = 6;
    const { values } = symmetricEigen(new Float64Array(n * n).fill(1), n);
    expect(values[0]).toBeCloseTo(n, 12);
    for (let k = 1; k < n; k++) expect(Math.abs(values[k])).toBeLessThan(1e-12);
  });

  it('refuses NaN instead of looping', () => {
    const A = new Float64Array([1, NaN, NaN, 1]);
    expect(() => symmetricEigen(A, 2)).toThrow(/non-finite value \(NaN\)/);
  });
});

describe('eigen (general real matrix)', () => {
  it('finds a rotation-scaling pair and its complex eigenvectors', () => {
    const c = Math.cos(0.3) * 0.9;
    const s = Math.sin(0.3) * 0.9;
    const A = new Float64Array([c, -s, 0, s, c, 0, 0, 0, 0.5]);
    const e = eigen(A, 3);
    const sorted = [...e.values].sort((p, q) => q.im - p.im);
    expect(sorted[0].re).toBeCloseTo(c, 14);
    expect(sorted[0].im).toBeCloseTo(s, 14);
    expect(sorted[2].im).toBeCloseTo(-s, 14);
    // A v = λ v for every pair
    for (let k = 0; k < 3; k++) {
      const l = e.values[k];
      for (let i = 0; i < 3; i++) {
        let re = 0;
        let im = 0;
        for (let j = 0; j < 3; j++) {
          re += A[i * 3 + j] * e.re[j * 3 + k];
          im += A[i * 3 + j] * e.im[j * 3 + k];
        }
        expect(re).toBeCloseTo(l.re * e.re[i * 3 + k] - l.im * e.im[i * 3 + k], 12);
        expect(im).toBeCloseTo(l.re * e.im[i * 3 + k] + l.im * e.re[i * 3 + k], 12);
      }
    }
  });

  it('refuses Infinity', () => {
    expect(() => eigen(new Float64Array([1, Infinity, 0, 1]), 2)).toThrow(/eigen input contains a non-finite value \(Infinity\)/);
  });
});

describe('complex helpers', () => {
  it('geometricSum matches the explicit sum, including at and near z = 1', () => {
    for (const z of [
      { re: 0.9, im: 0.2 },
      { re: 1, im: 0 },
      { re: 1 + 1e-12, im: 0 },
      { re: Math.cos(0.01), im: Math.sin(0.01) },
    ]) {
      let re = 0;
      let im = 0;
      let pr = 1;
      let pi = 0;
      for (let j = 0; j < 50; j++) {
        re += pr;
        im += pi;
        [pr, pi] = [pr * z.re - pi * z.im, pr * z.im + pi * z.re];
      }
      const g = geometricSum(z, 50);
      expect(g.re).toBeCloseTo(re, 8);
      expect(g.im).toBeCloseTo(im, 8);
    }
  });

  it('cpow raises the modulus exactly (no drift from repeated products) for huge powers', () => {
    const z = { re: Math.cos(0.7), im: Math.sin(0.7) };
    const p = cpow(z, 1e9);
    const want = Math.pow(Math.hypot(z.re, z.im), 1e9);
    expect(Math.abs(Math.hypot(p.re, p.im) - want)).toBeLessThan(1e-12);
    expect(Math.atan2(p.im, p.re)).toBeCloseTo(Math.atan2(Math.sin(0.7e9), Math.cos(0.7e9)), 5);
  });

  it('complexInverse inverts a complex matrix and reports its condition', () => {
    const re = [2, 1, 0, 1];
    const im = [0, 1, -1, 0];
    const inv = complexInverse(re, im, 2)!;
    // (A · A⁻¹) = I
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) {
        let sr = 0;
        let si = 0;
        for (let k = 0; k < 2; k++) {
          sr += re[i * 2 + k] * inv.re[k * 2 + j] - im[i * 2 + k] * inv.im[k * 2 + j];
          si += re[i * 2 + k] * inv.im[k * 2 + j] + im[i * 2 + k] * inv.re[k * 2 + j];
        }
        expect(sr).toBeCloseTo(i === j ? 1 : 0, 12);
        expect(si).toBeCloseTo(0, 12);
      }
    expect(inv.condition).toBeGreaterThanOrEqual(1);
    expect(complexInverse([1, 2, 2, 4], [0, 0, 0, 0], 2)).toBeNull();
  });
});

describe('rowGram', () => {
  it('equals X Xᵀ computed naively, with strides and offsets', () => {
    const r = rng(3);
    const n = 7;
    const stride = 13;
    const len = 11;
    const x = Float64Array.from({ length: n * stride }, () => r());
    const G = rowGram(x, n, stride, 1, len);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < len; t++) s += x[i * stride + 1 + t] * x[j * stride + 1 + t];
        expect(G[i * n + j]).toBeCloseTo(s, 12);
      }
  });
});

describe('chooseRank', () => {
  const sigma = [10, 5, 1, 0.1, 1e-9];
  it('fixed, energy, full and the floor', () => {
    expect(chooseRank(sigma, 5, 100, 2, 1e-7).rank).toBe(2);
    // energy: 100+25 = 125 of 126.01 → 0.99 needs 2? 125/126.01 = 0.992 → 2
    expect(chooseRank(sigma, 5, 100, 0.99, 1e-7).rank).toBe(2);
    expect(chooseRank(sigma, 5, 100, 0.999, 1e-7).rank).toBe(3);
    const full = chooseRank(sigma, 5, 100, -1, 1e-7);
    expect(full.rank).toBe(4);
    expect(full.rule).toMatch(/cut to 4 by the relative floor/);
  });
  it('optimal hard threshold keeps the values above ω(β)·median', () => {
    // β = 5/100 → ω ≈ 1.5187; median = 1 → τ ≈ 1.52: keeps 10 and 5
    expect(chooseRank(sigma, 5, 100, 0, 1e-7).rank).toBe(2);
  });
  it('optimal hard threshold is taken over the varying coordinates only', () => {
    // 3 signal values over a noise bulk, padded with 50 exact zeros: the zeros must not pull τ to 0
    const s = [50, 20, 10, ...Array.from({ length: 20 }, (_, i) => 1 - i * 0.01), ...new Array(50).fill(0)];
    // the caller counts the 23 varying coordinates: the 50 constant ones do not enter the median
    expect(chooseRank(s, 23, 2000, 0, 1e-7).rank).toBe(3);
    // counted as 73 rows, the zeros pull the median (and τ) down to the noise bulk's edge
    expect(chooseRank(s, 73, 2000, 0, 1e-7).rank).toBeGreaterThan(3);
  });
  it('rejects bad rules by name', () => {
    expect(() => chooseRank(sigma, 5, 100, 2.5, 1e-7)).toThrow(/rank must be -1 \(full\), 0 \(optimal hard threshold\)/);
    expect(() => chooseRank(sigma, 5, 100, -2, 1e-7)).toThrow(/got -2/);
  });
});

void matMul;
