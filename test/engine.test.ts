import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { fitRecorded } from '../src/koopman/batch.js';
import { fitKoopman } from '../src/koopman/fit.js';
import { chooseRank, gaussianRows, rowGram } from '../src/linalg/index.js';
import { partitionWeights } from '../src/partition/partition.js';
import type { WeightTensorInfo } from '../src/partition/types.js';
import { TrajectoryRecorder } from '../src/trajectory/recorder.js';
import { relErr } from './helpers.js';

/** Dense layers of an MLP as the partitioner sees them (kernel in×out, then bias). */
function mlp(widths: number[]): WeightTensorInfo[] {
  const out: WeightTensorInfo[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const [a, b] = [widths[l], widths[l + 1]];
    const layer = `dense${l + 1}`;
    out.push({ name: `${layer}/kernel`, layer, layerClass: 'Dense', role: 'kernel', shape: [a, b], offset, size: a * b });
    offset += a * b;
    out.push({ name: `${layer}/bias`, layer, layerClass: 'Dense', role: 'bias', shape: [b], offset, size: b });
    offset += b;
  }
  return out;
}

/**
 * A weight trajectory of `total` weights: w(t) = w₀ + drift·t + Σ_j loading_j·λ_j^t·cos(ω_j t)
 * + noise, with the weights of the first `dead` input pixels of dense1 never moving (black pixels).
 */
function trajectory(total: number, n: number, dead: number, seed: number): Float64Array[] {
  const modes = 5;
  const g = gaussianRows(modes + 2, total, seed);
  const noise = gaussianRows(n, total, seed + 1);
  const lambda = [0.995, 0.98, 0.97, 0.9, 0.8];
  const omega = [0, 0.05, 0.2, 0.1, 0.3];
  const snaps: Float64Array[] = [];
  for (let t = 0; t < n; t++) {
    const w = new Float64Array(total);
    for (let i = 0; i < total; i++) {
      let s = g[i] + 1e-3 * g[total + i] * t;
      for (let j = 0; j < modes; j++) s += 0.1 * g[(j + 2) * total + i] * lambda[j] ** t * Math.cos(omega[j] * t);
      w[i] = s + 1e-6 * noise[t * total + i];
    }
    for (let i = 0; i < dead * 20; i++) w[i] = g[i]; // kernel rows of dead pixels (20 outputs each)
    snaps.push(w);
  }
  return snaps;
}

/**
 * The reference affine fit of the same data, computed the small independent way: the m × m Gram
 * XcᵀXc by plain loops and ml-matrix's symmetric eigen-decomposition give V and Σ, then
 * U = Xc V Σ⁻¹ and B = Yc V Σ⁻¹. Returns a stepper x ↦ B Uᵀ x + c and the singular values.
 */
function referenceFit(rows: Float64Array, d: number, n: number, rankRule: number, tol: number) {
  const m = n - 1;
  const mu = new Float64Array(d);
  const nu = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let sx = 0;
    let sy = 0;
    for (let t = 0; t < m; t++) {
      sx += rows[i * n + t];
      sy += rows[i * n + t + 1];
    }
    mu[i] = sx / m;
    nu[i] = sy / m;
  }
  const Xt = new Float64Array(m * d); // columns of Xc as rows
  const Yt = new Float64Array(m * d);
  let varying = 0;
  for (let i = 0; i < d; i++) {
    let e = 0;
    for (let t = 0; t < m; t++) {
      Xt[t * d + i] = rows[i * n + t] - mu[i];
      Yt[t * d + i] = rows[i * n + t + 1] - mu[i];
      e += Xt[t * d + i] ** 2;
    }
    if (e > 0) varying++;
  }
  const G = rowGram(Xt, m, d, 0, d);
  const eig = new EigenvalueDecomposition(new Matrix(Array.from({ length: m }, (_, a) => Array.from(G.subarray(a * m, a * m + m)))), {
    assumeSymmetric: true,
  });
  const order = eig.realEigenvalues.map((v, i) => [v, i]).sort((a, b) => b[0] - a[0]);
  const sigma = Float64Array.from(order, ([v]) => Math.sqrt(Math.max(v, 0)));
  const r = chooseRank(sigma, varying, m, rankRule, tol).rank;
  const U = new Float64Array(r * d);
  const B = new Float64Array(r * d);
  for (let p = 0; p < r; p++) {
    const col = order[p][1];
    for (let t = 0; t < m; t++) {
      const v = eig.eigenvectorMatrix.get(t, col) / sigma[p];
      for (let i = 0; i < d; i++) {
        U[p * d + i] += Xt[t * d + i] * v;
        B[p * d + i] += Yt[t * d + i] * v;
      }
    }
  }
  const apply = (x: Float64Array) => {
    const out = new Float64Array(d);
    for (let p = 0; p < r; p++) {
      let z = 0;
      for (let i = 0; i < d; i++) z += U[p * d + i] * (x[i] - mu[i]);
      for (let i = 0; i < d; i++) out[i] += B[p * d + i] * z;
    }
    for (let i = 0; i < d; i++) out[i] += nu[i]; // μ + δ
    return out;
  };
  return { r, sigma, apply };
}

function recordAll(groups: ReturnType<typeof partitionWeights>['groups'], snaps: Float64Array[]): TrajectoryRecorder {
  const rec = new TrajectoryRecorder({ groups, capacity: snaps.length, dtype: 'float64' });
  snaps.forEach((s, t) => rec.record(t, s));
  return rec;
}

function checkAgainstReference(rec: TrajectoryRecorder, rankRule: number): void {
  const fit = fitRecorded(rec, { rank: rankRule, affine: true }, true);
  const op = fit.operators[0]!;
  const d = rec.groups[0].indices.length;
  const n = rec.count;
  const ref = referenceFit(rec.rows(0), d, n, rankRule, 1e-7);
  expect(op.dim).toBe(d);
  expect(op.rank).toBe(ref.r);
  for (let p = 0; p < ref.r; p++) expect(Math.abs(op.singularValues[p] - ref.sigma[p]) / ref.sigma[p]).toBeLessThan(1e-8);
  const rows = rec.rows(0);
  const x0 = Float64Array.from({ length: d }, (_, i) => rows[i * n + n - 1]);
  let x = x0;
  for (let k = 1; k <= 40; k++) {
    x = ref.apply(x);
    if (k === 1 || k === 10 || k === 40) expect(relErr(op.predict(x0, k), x)).toBeLessThan(1e-8);
  }
}

describe('layer and network operators on a 784-wide layer (d > m)', () => {
  it('layer partition of Dense 784→20 (d = 15 700, m = 120, rank 6): predictions match the small-side reference fit', () => {
    const tensors = mlp([784, 20]);
    const groups = partitionWeights(tensors, { default: 'layer' }).groups;
    expect(groups).toHaveLength(1);
    expect(groups[0].indices.length).toBe(15700);
    checkAgainstReference(recordAll(groups, trajectory(15700, 121, 100, 3)), 6);
  });

  it('network partition of the MNIST MLP 784-20-20-20-10 (d = 16 750, m = 120, optimal hard threshold): same rank and predictions as the reference', () => {
    const tensors = mlp([784, 20, 20, 20, 10]);
    const groups = partitionWeights(tensors, { default: 'network' }).groups;
    expect(groups[0].indices.length).toBe(16750);
    checkAgainstReference(recordAll(groups, trajectory(16750, 121, 100, 4)), 0);
  });

  it('fitKoopman with d > m never needs a d × d matrix: d = 4000, m = 30 fits a rank-2 linear system exactly', () => {
    // x(t) = a·0.9ᵗ + b·0.5ᵗ in 4000 coordinates: rank 2, eigenvalues 0.9 and 0.5
    const g = gaussianRows(2, 4000, 9);
    const snaps = Array.from({ length: 31 }, (_, t) => Float64Array.from({ length: 4000 }, (_, i) => g[i] * 0.9 ** t + g[4000 + i] * 0.5 ** t));
    const op = fitKoopman(snaps, { rank: 2 });
    expect(op.rank).toBe(2);
    const lams = op.eigenvalues.map((l) => l.re).sort((a, b) => a - b);
    expect(lams[0]).toBeCloseTo(0.5, 10);
    expect(lams[1]).toBeCloseTo(0.9, 10);
    const want = Float64Array.from({ length: 4000 }, (_, i) => g[i] * 0.9 ** 130 + g[4000 + i] * 0.5 ** 130);
    expect(relErr(op.predict(snaps[30], 100), want)).toBeLessThan(1e-8);
  });
});
