import { describe, expect, it } from 'vitest';
import { fitKoopman, predictionDisagreement } from '../src/koopman/index.js';
import { inverse, matMul, matVec, relErr, rng } from './helpers.js';

/** A = S D S⁻¹ with eigenvalues 1, 0.97, 0.9·e^{±0.3i}, 0.5, −0.6. */
function knownSystem(seed: number) {
  const n = 6;
  const r = rng(seed);
  const S = Float64Array.from({ length: n * n }, () => r() - 0.5);
  for (let i = 0; i < n; i++) S[i * n + i] += 2; // well conditioned
  const D = new Float64Array(n * n);
  const c = 0.9 * Math.cos(0.3);
  const s = 0.9 * Math.sin(0.3);
  D[0] = 1;
  D[1 * n + 1] = 0.97;
  D[2 * n + 2] = c;
  D[2 * n + 3] = -s;
  D[3 * n + 2] = s;
  D[3 * n + 3] = c;
  D[4 * n + 4] = 0.5;
  D[5 * n + 5] = -0.6;
  const A = matMul(matMul(S, D, n), inverse(S, n), n);
  const expected = [
    { re: 1, im: 0 },
    { re: 0.97, im: 0 },
    { re: c, im: s },
    { re: c, im: -s },
    { re: 0.5, im: 0 },
    { re: -0.6, im: 0 },
  ];
  return { A, n, expected };
}

function simulate(A: Float64Array, x0: ArrayLike<number>, n: number, count: number): Float64Array[] {
  const out: Float64Array[] = [Float64Array.from(x0)];
  for (let t = 1; t < count; t++) out.push(matVec(A, out[t - 1], n));
  return out;
}

describe('fitKoopman on known linear systems', () => {
  const { A, n, expected } = knownSystem(7);
  const x0 = [1, -0.5, 0.3, 0.8, -1.2, 0.4];
  const snaps = simulate(A, x0, n, 25);
  const op = fitKoopman(snaps, { rank: -1 });

  it('recovers real and complex eigenvalues to 1e-8', () => {
    expect(op.rank).toBe(n);
    expect(op.dim).toBe(n);
    for (const e of expected) {
      const best = Math.min(...op.eigenvalues.map((l) => Math.hypot(l.re - e.re, l.im - e.im)));
      expect(best).toBeLessThan(1e-8);
    }
  });

  it('predict(x0, 1000) equals A¹⁰⁰⁰x0 to 1e-6 relative, and matches step-by-step trajectory', () => {
    let x: Float64Array = Float64Array.from(x0);
    for (let k = 0; k < 1000; k++) x = matVec(A, x, n);
    expect(relErr(op.predict(x0, 1000), x)).toBeLessThan(1e-6);
    const traj = op.trajectory(x0, 40);
    expect(traj).toHaveLength(41);
    expect(relErr(traj[40], op.predict(x0, 40))).toBeLessThan(1e-10);
    expect(Array.from(op.predict(x0, 0))).toEqual(x0);
  });

  it('matrix() reproduces A and residuals of exact data are ~0', () => {
    expect(relErr(op.matrix(), A)).toBeLessThan(1e-8);
    for (const res of op.residuals) expect(res).toBeLessThan(1e-8);
    expect(op.amplitudes).toHaveLength(n);
    expect(op.condition).toBeGreaterThan(1);
    expect(Number.isFinite(op.condition)).toBe(true);
  });

  it('stays finite for |λ| = 1 over 1e9 steps', () => {
    const y = op.predict(x0, 1_000_000_000);
    expect(y.every(Number.isFinite)).toBe(true);
  });

  it('stabilize pulls a growing mode onto the unit circle', () => {
    const G = new Float64Array([1.05, 0, 0, 0.5]);
    const snaps2 = simulate(G, [1, 1], 2, 10);
    const raw = fitKoopman(snaps2, { rank: -1 });
    expect(raw.spectralRadius).toBeCloseTo(1.05, 10);
    const st = fitKoopman(snaps2, { rank: -1, stabilize: true });
    expect(st.stabilized).toBe(1);
    expect(st.spectralRadius).toBeCloseTo(1, 12);
    // the stable mode is untouched: far ahead, state ≈ the unit-modulus mode's contribution
    const far = st.predict([1, 1], 10_000);
    expect(far[0]).toBeCloseTo(1, 8);
    expect(Math.abs(far[1])).toBeLessThan(1e-12);
    // and the residuals still describe the data-driven (unstabilised) fit
    for (const res of st.residuals) expect(res).toBeLessThan(1e-10);
  });
});

describe('amplitudes', () => {
  it('are the first snapshot in unit Ritz vectors: |α| of [3·0.5ᵗ, 2, 4·0.2ᵗ] is {3, 2, 4}', () => {
    const snaps = Array.from({ length: 8 }, (_, t) => [3 * 0.5 ** t, 2, 4 * 0.2 ** t]);
    const op = fitKoopman(snaps, { rank: -1 });
    const pairs = op.eigenvalues.map((l, k) => [l.re, Math.hypot(op.amplitudes[k].re, op.amplitudes[k].im)]).sort((a, b) => a[0] - b[0]);
    expect(pairs[0][0]).toBeCloseTo(0.2, 10);
    expect(pairs[0][1]).toBeCloseTo(4, 8);
    expect(pairs[1][0]).toBeCloseTo(0.5, 10);
    expect(pairs[1][1]).toBeCloseTo(3, 8);
    expect(pairs[2][0]).toBeCloseTo(1, 10);
    expect(pairs[2][1]).toBeCloseTo(2, 8);
  });
});

describe('affine fits and rank-deficient data', () => {
  it('predicts a straight-line drift exactly with affine: true', () => {
    const a = [0.3, -1.2, 2.0, 0.7];
    const b = [0.01, 0.002, -0.005, 0.0];
    const snaps = Array.from({ length: 30 }, (_, t) => a.map((v, i) => v + b[i] * t));
    const op = fitKoopman(snaps, { affine: true });
    const x0 = snaps[29];
    const got = op.predict(x0, 1000);
    const want = a.map((v, i) => v + b[i] * 1029);
    expect(relErr(got, want)).toBeLessThan(1e-10);
    // and the matrix/offset form agrees: x1 = A x0 + c
    const A = op.matrix();
    const c = op.offset();
    const x1 = matVec(A, x0, 4).map((v, i) => v + c[i]);
    expect(relErr(x1, op.predict(x0, 1))).toBeLessThan(1e-12);
  });

  it('collinear, rank-deficient snapshots give finite results and report the rank used', () => {
    const dir = [1, 2, -1, 0.5, 3];
    const snaps = Array.from({ length: 12 }, (_, t) => dir.map((v) => v * 0.9 ** t));
    const op = fitKoopman(snaps, { rank: 3 });
    expect(op.rank).toBe(1);
    expect(op.rankRule).toMatch(/fixed 3, cut to 1 by the relative floor/);
    expect(op.eigenvalues[0].re).toBeCloseTo(0.9, 10);
    const y = op.predict(snaps[11], 5);
    expect(y.every(Number.isFinite)).toBe(true);
    expect(relErr(y, dir.map((v) => v * 0.9 ** 16))).toBeLessThan(1e-10);
  });

  it('a defective (Jordan) reduced operator falls back to exact powers', () => {
    // x(t+1) = J x(t), J = [[1, 1], [0, 1]]: x = (a + b t, b)
    const J = new Float64Array([1, 1, 0, 1]);
    const snaps = simulate(J, [0.5, 0.2], 2, 8);
    const op = fitKoopman(snaps, { rank: -1 });
    expect(op.eigenbasisCondition).toBeGreaterThan(1e6);
    const y = op.predict([0.5, 0.2], 100);
    expect(y[0]).toBeCloseTo(0.5 + 0.2 * 100, 6);
    expect(y[1]).toBeCloseTo(0.2, 8);
  });

  it('ridge and scale still fit an exactly linear system closely', () => {
    const A = new Float64Array([0.9, 0.1, -0.1, 0.9]);
    const snaps = simulate(A, [1, 0], 2, 20);
    const op = fitKoopman(snaps, { rank: -1, scale: true, ridge: 1e-10 });
    expect(relErr(op.matrix(), A)).toBeLessThan(1e-6);
  });
});

describe('rank rule on data with constant coordinates', () => {
  it('constant coordinates do not drive the optimal hard threshold to the maximum rank', () => {
    const r = rng(5);
    // 3 slow modes in 10 varying coordinates plus noise, and 30 coordinates that never move
    const dirs = Array.from({ length: 3 }, () => Array.from({ length: 10 }, () => r() - 0.5));
    const snaps = Array.from({ length: 200 }, (_, t) => [
      ...Array.from({ length: 10 }, (_, i) => 5 * dirs[0][i] * 0.99 ** t + 3 * dirs[1][i] * 0.95 ** t + 2 * dirs[2][i] * Math.cos(0.1 * t) + 1e-4 * (r() - 0.5)),
      ...new Array(30).fill(0.25),
    ]);
    const op = fitKoopman(snaps, { rank: 0, affine: true });
    expect(op.rank).toBeGreaterThanOrEqual(3);
    expect(op.rank).toBeLessThanOrEqual(6);
  });
});

describe('fitKoopman bad input', () => {
  const good = [
    [1, 2],
    [2, 3],
    [3, 4],
    [4, 5],
  ];
  it('names the option and the accepted values', () => {
    expect(() => fitKoopman([[1, 2]])).toThrow('fitKoopman needs at least 2 snapshots; got 1');
    expect(() => fitKoopman([[1, 2], [1, 2, 3]])).toThrow(/snapshot 1 has length 3, expected 2/);
    expect(() => fitKoopman([[1, 2], [NaN, 2]])).toThrow(/snapshot 1 contains a non-finite value \(NaN\) at index 0/);
    expect(() => fitKoopman([[1, Infinity], [1, 2]])).toThrow(/snapshot 0 contains a non-finite value \(Infinity\)/);
    expect(() => fitKoopman(good, { rank: 5 })).toThrow(/rank 5 needs at least 6 snapshots for dimension 2; got 4/);
    expect(() => fitKoopman(good.slice(0, 2), { rank: -1 })).toThrow(/rank -1 needs at least 3 snapshots/);
    expect(() => fitKoopman(good, { rank: 1.5 })).toThrow(/rank must be -1 \(full\)/);
    expect(() => fitKoopman(good, { ridge: -1 })).toThrow(/ridge must be a finite number ≥ 0/);
    expect(() => fitKoopman(good, { affine: 'yes' as unknown as boolean })).toThrow(/affine must be true or false/);
  });
  it('predict checks steps and the state', () => {
    const op = fitKoopman(good, { affine: true });
    expect(() => op.predict([1, 2], -1)).toThrow('steps must be an integer ≥ 0; got -1');
    expect(() => op.predict([1, 2], 2.5)).toThrow('steps must be an integer ≥ 0; got 2.5');
    expect(() => op.predict([1], 2)).toThrow(/x0 must have length 2/);
    expect(() => op.predict([1, NaN], 2)).toThrow(/x0 contains a non-finite value/);
  });
});

describe('predictionDisagreement', () => {
  it('is median |x − y| ÷ median |x − x0| over every group, skips groups without x, and is Infinity when a group cannot be checked', () => {
    const x0 = [[0, 0], [5], [1]];
    // group 0 moves by (1, 2) and the two predictions differ by (0.1, 0.2); group 1 moves by 3 and differs by 0.6
    const x = [[1, 2], [8], null];
    const y = [[1.1, 2.2], [8.6], [7]];
    // err {0.1, 0.2, 0.6} → 0.2; growth {1, 2, 3} → 2
    expect(predictionDisagreement(x, y, x0)).toBeCloseTo(0.1, 12);
    expect(predictionDisagreement(x, [[1.1, 2.2], null, null], x0)).toBe(Number.POSITIVE_INFINITY);
    expect(predictionDisagreement([[0, 0]], [[1, 1]], [[0, 0]])).toBe(Number.POSITIVE_INFINITY); // no growth
    expect(predictionDisagreement([[1, 2]], [[1, 2]], [[0, 0]])).toBe(0);
  });
});
