import { describe, expect, it } from 'vitest';
import { cabs } from '../src/linalg/complex.js';
import {
  agreement,
  countAbove,
  fitKann,
  kannStates,
  memoryHorizons,
  projectionMagnitudes,
  relativeError,
  subspaceProjector,
  type HiddenStates,
} from '../src/kann/index.js';
import { inverse, matMul, rng } from './helpers.js';

/**
 * A = P·D·P⁻¹ with D block-diagonal: rotations of moduli 0.95 and 0.8 and real eigenvalues 0.6,
 * −0.4; the eigenvalues are known in closed form.
 */
function linearSystem(seed: number) {
  const k = 6;
  const D = new Float64Array(k * k);
  const blocks: [number, number][] = [
    [0.95, 0.3],
    [0.8, 1.1],
  ];
  blocks.forEach(([rho, th], b) => {
    const i = 2 * b;
    D[i * k + i] = rho * Math.cos(th);
    D[i * k + i + 1] = -rho * Math.sin(th);
    D[(i + 1) * k + i] = rho * Math.sin(th);
    D[(i + 1) * k + i + 1] = rho * Math.cos(th);
  });
  D[4 * k + 4] = 0.6;
  D[5 * k + 5] = -0.4;
  const r = rng(seed);
  const P = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) P[i * k + j] = (i === j ? 1 : 0) + 0.4 * (r() - 0.5);
  const A = matMul(matMul(P, D, k), inverse(P, k), k);
  const eig = [
    { re: 0.95 * Math.cos(0.3), im: 0.95 * Math.sin(0.3) },
    { re: 0.95 * Math.cos(0.3), im: -0.95 * Math.sin(0.3) },
    { re: 0.8 * Math.cos(1.1), im: 0.8 * Math.sin(1.1) },
    { re: 0.8 * Math.cos(1.1), im: -0.8 * Math.sin(1.1) },
    { re: 0.6, im: 0 },
    { re: -0.4, im: 0 },
  ];
  return { A, k, eig };
}

/** h_{t+1} = A hₜ + B xₜ with xₜ random for t < prefix and 0 afterwards. */
function simulate(A: Float64Array, k: number, samples: number, steps: number, prefix: number, seed: number): HiddenStates {
  const r = rng(seed);
  const m = 2;
  const B = Array.from({ length: k * m }, () => r() - 0.5);
  const data = new Float64Array(samples * steps * k);
  for (let s = 0; s < samples; s++) {
    let h = new Float64Array(k);
    for (let t = 0; t < steps; t++) {
      const x = t < prefix ? [2 * r() - 1, 2 * r() - 1] : [0, 0];
      const next = new Float64Array(k);
      for (let i = 0; i < k; i++) {
        let acc = 0;
        for (let j = 0; j < k; j++) acc += A[i * k + j] * h[j];
        for (let j = 0; j < m; j++) acc += B[i * m + j] * x[j];
        next[i] = acc;
      }
      h = next;
      data.set(h, (s * steps + t) * k);
    }
  }
  return { data, samples, steps, dim: k };
}

describe('KANN on a linear RNN (zero input after a prefix)', () => {
  const { A, k, eig } = linearSystem(3);
  const prefix = 5;
  const states = simulate(A, k, 8, 30, prefix, 11);
  const fit = fitKann(states, { start: prefix });

  it('recovers the eigenvalues of A to 1e-8', () => {
    expect(fit.rank).toBe(k);
    const sorted = [...eig].sort((a, b) => cabs(b) - cabs(a) || b.im - a.im);
    fit.eigenvalues.forEach((l, j) => {
      expect(Math.abs(l.re - sorted[j].re)).toBeLessThan(1e-8);
      expect(Math.abs(l.im - sorted[j].im)).toBeLessThan(1e-8);
    });
    expect(fit.residual).toBeLessThan(1e-10);
  });

  it('C is A in the basis (C = Bᵀ Aᵀ B in the row convention)', () => {
    const { basis: Bm, rank: r, C } = fit;
    for (let a = 0; a < r; a++) {
      for (let b = 0; b < r; b++) {
        let acc = 0;
        for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) acc += Bm[i * r + a] * A[j * k + i] * Bm[j * r + b];
        expect(Math.abs(C[a * r + b] - acc)).toBeLessThan(1e-8);
      }
    }
  });

  it('memory horizons equal log ε / log |λ|', () => {
    const eps = 0.01;
    const tau = memoryHorizons(fit.eigenvalues, eps);
    const closed = [0.95, 0.95, 0.8, 0.8, 0.6, 0.4].map((a) => Math.log(eps) / Math.log(a));
    tau.forEach((t, j) => expect(Math.abs(t - closed[j]) / closed[j]).toBeLessThan(1e-7));
    expect(memoryHorizons([{ re: 1, im: 0 }, { re: 0, im: 0 }, { re: 0, im: 1.2 }], eps)).toEqual([Infinity, 0, Infinity]);
    expect(countAbove(fit.eigenvalues, 0.9)).toBe(2);
  });

  it('KANN states equal the true ones after the prefix (e_rel ≈ 0), not inside it', () => {
    const pred = kannStates(fit, states);
    expect(relativeError(pred, states, prefix + 1).eRel).toBeLessThan(1e-16);
    expect(relativeError(pred, states, 1, prefix).eRel).toBeGreaterThan(1e-3);
  });

  it('projection magnitudes of an eigen-direction decay as |λ|^t', () => {
    const mags = projectionMagnitudes(fit, states, [0, 5]);
    const N = states.steps;
    for (let t = prefix + 1; t < Math.min(N - 1, prefix + 10); t++) {
      expect(mags[(t + 1) * 2] / mags[t * 2]).toBeCloseTo(0.95, 7);
      expect(mags[(t + 1) * 2 + 1] / mags[t * 2 + 1]).toBeCloseTo(0.4, 7);
    }
  });
});

describe('eigen-subspace projectors', () => {
  const { A, k } = linearSystem(5);
  const fit = fitKann(simulate(A, k, 6, 20, 3, 2), { start: 3 });
  it('P_J is idempotent, real pairs sum to the identity', () => {
    const r = fit.rank;
    const P = subspaceProjector(fit, [0, 1]);
    const Q = subspaceProjector(fit, [2, 3, 4, 5]);
    const PP = matMul(P, P, r);
    for (let i = 0; i < r * r; i++) {
      expect(Math.abs(PP[i] - P[i])).toBeLessThan(1e-9);
      expect(Math.abs(P[i] + Q[i] - (i % (r + 1) === 0 ? 1 : 0))).toBeLessThan(1e-9);
    }
    expect(() => subspaceProjector(fit, [6])).toThrow(/out of range 0…5/);
  });
});

describe('e_rel and agreement on known answers', () => {
  it('e_rel of a prediction scaled by (1 + c) is c²; zero states are skipped', () => {
    const data = Float64Array.from([1, 2, 0, 0, 3, -1, 2, 2]);
    const states: HiddenStates = { data, samples: 2, steps: 2, dim: 2 };
    const pred = data.map((v) => 1.1 * v);
    const e = relativeError(pred, states, 0, 2);
    expect(e.eRel).toBeCloseTo(0.01, 14);
    expect(e.count).toBe(3);
    expect(e.skipped).toBe(1);
  });

  it('e_rel follows eq. (12) on a hand-computed case', () => {
    const states: HiddenStates = { data: Float64Array.from([1, 0, 0, 1]), samples: 1, steps: 2, dim: 2 };
    // errors: |(1,1)−(1,0)|²/1 = 1 and |(0,0.5)−(0,1)|²/1 = 0.25 → mean 0.625
    expect(relativeError([1, 1, 0, 0.5], states, 0, 2).eRel).toBeCloseTo(0.625, 14);
  });

  it('agreement is the share of equal decisions', () => {
    expect(agreement([1, 0, 1, 1], [1, 1, 1, 0])).toBe(0.5);
    expect(agreement(Int32Array.from([2, 2, 2]), Int32Array.from([2, 2, 2]))).toBe(1);
    expect(() => agreement([1], [1, 2])).toThrow(/differ in length/);
  });
});

describe('bad input', () => {
  const { A, k } = linearSystem(3);
  const states = simulate(A, k, 1, 4, 4, 1);
  it('too few time steps for the rank', () => {
    expect(() => fitKann(states, { rank: 5 })).toThrow(/too few time steps for rank 5: C needs at least 5 state pairs, got samples·\(steps − 1\) = 1·3 = 3/);
    expect(() => fitKann(states, { start: 3 })).toThrow(/too few time steps/);
  });
  it('unknown options and bad values are named', () => {
    expect(() => fitKann(states, { rnak: 3 } as never)).toThrow(/unknown KANN option 'rnak'/);
    expect(() => fitKann(states, { epsilon: 2 })).toThrow(/epsilon must be a number in \(0, 1\)/);
    expect(() => fitKann(states, { rank: 9 })).toThrow(/rank 9 exceeds the hidden dimension 6/);
  });
  it('non-finite states are refused before any decomposition', () => {
    const bad = { ...states, data: Float64Array.from(states.data) };
    bad.data[7] = NaN;
    expect(() => fitKann(bad)).toThrow(/non-finite value \(NaN\) at sample 0, step 1, unit 1/);
  });
  it('shape mismatch is named', () => {
    expect(() => fitKann({ data: new Float64Array(5), samples: 1, steps: 2, dim: 3 })).toThrow(/expected samples·steps·dim = 1·2·3 = 6/);
  });
});
