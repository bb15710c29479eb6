import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DMD_LAYER_DEFAULTS, dmdLayer } from '../plugins/dmd-layer/index.js';
import { selectBackend } from '../src/backend/index.js';
import { fitDelayDmd } from '../src/dmd-layer/index.js';
import { rng } from './helpers.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

function randomMatrix(rows: number, cols: number, seed: number, scale = 1): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: rows * cols }, () => (2 * r() - 1) * scale);
}

/** 4 → 6 (tanh) → 5 (linear) → 3 (relu) → 2 (softmax), seeded. */
function smallModel(seed: number): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [4], units: 6, activation: 'tanh', name: 'd1', kernelInitializer: tf.initializers.glorotUniform({ seed }), biasInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: seed + 1 }) }));
  m.add(tf.layers.dense({ units: 5, activation: 'linear', name: 'lin', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }), biasInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: seed + 3 }) }));
  m.add(tf.layers.dense({ units: 3, activation: 'relu', name: 'd3', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 4 }), biasInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: seed + 5 }) }));
  m.add(tf.layers.dense({ units: 2, activation: 'softmax', name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 6 }) }));
  return m;
}

describe('fitDelayDmd (engine maths)', () => {
  it('recovers an affine map of two delay blocks exactly, and no delay-free fit does', () => {
    const N = 40;
    const a = randomMatrix(N, 3, 1);
    const b = randomMatrix(N, 2, 2);
    const A = randomMatrix(4, 3, 3);
    const B = randomMatrix(4, 2, 4);
    const c = [0.5, -1, 2, 0];
    const y = new Float64Array(N * 4);
    for (let t = 0; t < N; t++) {
      for (let o = 0; o < 4; o++) {
        let s = c[o];
        for (let i = 0; i < 3; i++) s += A[o * 3 + i] * a[t * 3 + i];
        for (let i = 0; i < 2; i++) s += B[o * 2 + i] * b[t * 2 + i];
        y[t * 4 + o] = s;
      }
    }
    const fit = fitDelayDmd({ past: [{ data: a, width: 3 }, { data: b, width: 2 }], next: { data: y, width: 4 }, samples: N }, { rank: -1, affine: true, tol: 1e-7 });
    expect(fit.rank).toBe(5);
    expect(fit.reconstructionError).toBeLessThan(1e-10);
    // kernel (tfjs layout p × q): row i of the delay vector [a; b]
    for (let o = 0; o < 4; o++) {
      for (let i = 0; i < 3; i++) expect(fit.kernel[i * 4 + o]).toBeCloseTo(A[o * 3 + i], 9);
      for (let i = 0; i < 2; i++) expect(fit.kernel[(3 + i) * 4 + o]).toBeCloseTo(B[o * 2 + i], 9);
      expect(fit.bias[o]).toBeCloseTo(c[o], 9);
    }
    const one = fitDelayDmd({ past: [{ data: a, width: 3 }], next: { data: y, width: 4 }, samples: N }, { rank: -1, affine: true, tol: 1e-7 });
    expect(one.reconstructionError).toBeGreaterThan(0.05);
  });

  it('takes the N × N Gram route when samples are fewer than the delay dimension and still interpolates', () => {
    const N = 6;
    const x = randomMatrix(N, 10, 5);
    const y = randomMatrix(N, 3, 6);
    const fit = fitDelayDmd({ past: [{ data: x, width: 10 }], next: { data: y, width: 3 }, samples: N }, { rank: 0.999999, affine: false, tol: 1e-7 });
    expect(fit.singularValues.length).toBe(6);
    expect(fit.rank).toBe(6);
    expect(fit.reconstructionError).toBeLessThan(1e-9); // 6 generic points in R^10 are interpolated
  });

  it('eigenvalues of a linear step h_ℓ = M h_{ℓ−1} (equal widths, one delay) are those of M', () => {
    // M = blockdiag(0.9·R(0.3), 0.5): eigenvalues 0.9e^{±0.3i}, 0.5
    const M = [0.9 * Math.cos(0.3), -0.9 * Math.sin(0.3), 0, 0.9 * Math.sin(0.3), 0.9 * Math.cos(0.3), 0, 0, 0, 0.5];
    const N = 30;
    const x = randomMatrix(N, 3, 7);
    const y = new Float64Array(N * 3);
    for (let t = 0; t < N; t++) for (let o = 0; o < 3; o++) for (let i = 0; i < 3; i++) y[t * 3 + o] += M[o * 3 + i] * x[t * 3 + i];
    const fit = fitDelayDmd({ past: [{ data: x, width: 3 }], next: { data: y, width: 3 }, samples: N }, { rank: -1, affine: false, tol: 1e-7 });
    const mods = fit.eigenvalues.map((l) => Math.hypot(l.re, l.im)).sort((p, q) => p - q);
    expect(mods[0]).toBeCloseTo(0.5, 9);
    expect(mods[1]).toBeCloseTo(0.9, 9);
    expect(mods[2]).toBeCloseTo(0.9, 9);
    const args = fit.eigenvalues.map((l) => Math.abs(Math.atan2(l.im, l.re))).sort((p, q) => p - q);
    expect(args[2]).toBeCloseTo(0.3, 9);
  });

  it('with two delays the eigenvalues are those of the companion (shift) map: roots of λ² = aλ + b', () => {
    // scalar states: h_ℓ = 0.5 h_{ℓ−1} + 0.3 h_{ℓ−2}; delay map [[0.5, 0.3], [1, 0]]
    const N = 25;
    const h1 = randomMatrix(N, 1, 10);
    const h2 = randomMatrix(N, 1, 11);
    const y = h1.map((v, t) => 0.5 * v + 0.3 * h2[t]);
    const fit = fitDelayDmd({ past: [{ data: h1, width: 1 }, { data: h2, width: 1 }], next: { data: y, width: 1 }, samples: N }, { rank: -1, affine: false, tol: 1e-7 });
    const roots = [(0.5 + Math.sqrt(0.25 + 1.2)) / 2, (0.5 - Math.sqrt(0.25 + 1.2)) / 2];
    const got = fit.eigenvalues.map((l) => l.re).sort((p, q) => q - p);
    expect(got[0]).toBeCloseTo(roots[0], 10);
    expect(got[1]).toBeCloseTo(roots[1], 10);
    for (const l of fit.eigenvalues) expect(Math.abs(l.im)).toBeLessThan(1e-12);
  });

  it('a fixed integer rank keeps exactly that many directions', () => {
    const N = 50;
    const x = randomMatrix(N, 8, 8);
    const y = randomMatrix(N, 2, 9);
    const fit = fitDelayDmd({ past: [{ data: x, width: 8 }], next: { data: y, width: 2 }, samples: N }, { rank: 3, affine: true, tol: 1e-7 });
    expect(fit.rank).toBe(3);
    expect(fit.eigenvalues.length).toBe(3);
    expect(fit.rankRule).toBe('fixed 3');
  });

  it('refuses non-finite data and wrong sizes', () => {
    const x = Float64Array.from([1, 2, NaN, 4]);
    expect(() => fitDelayDmd({ past: [{ data: x, width: 2 }], next: { data: [1, 2], width: 1 }, samples: 2 }, { rank: 1, affine: false, tol: 1e-7 })).toThrow(/non-finite value \(NaN\) at sample 1, unit 0/);
    expect(() => fitDelayDmd({ past: [{ data: [1, 2, 3], width: 2 }], next: { data: [1, 2], width: 1 }, samples: 2 }, { rank: 1, affine: false, tol: 1e-7 })).toThrow(/expected 2 samples × 2 = 4 numbers; got 3/);
  });
});

describe('dmdLayer (tfjs entry)', () => {
  it('replaces a layer that is already linear exactly (outputs to 1e-6)', () => {
    const m = smallModel(11);
    const x = tf.randomUniform([200, 4], -1, 1, 'float32', 3);
    const { model, report } = dmdLayer(m, 'lin', x);
    expect(report.rank).toBe(6);
    expect(report.reconstructionError).toBeLessThan(1e-6);
    const test = tf.randomUniform([100, 4], -2, 2, 'float32', 4);
    const a = (m.predict(test) as tf.Tensor).dataSync();
    const b = (model.predict(test) as tf.Tensor).dataSync();
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    expect(maxDiff).toBeLessThan(1e-6);
    // the inner layer outputs agree too
    const inner = (mm: tf.LayersModel) => tf.model({ inputs: mm.inputs, outputs: mm.getLayer('lin').output as tf.SymbolicTensor });
    const ia = (inner(m).predict(test) as tf.Tensor).dataSync();
    const ib = (inner(model).predict(test) as tf.Tensor).dataSync();
    for (let i = 0; i < ia.length; i++) expect(Math.abs(ia[i] - ib[i])).toBeLessThan(1e-6);
    model.dispose();
    m.dispose();
    tf.dispose([x, test]);
  });

  it('more delays never make the reconstruction error on the fitting data worse', () => {
    const m = smallModel(21);
    const x = tf.randomUniform([300, 4], -1.5, 1.5, 'float32', 5);
    const errs: number[] = [];
    for (const delays of [1, 2, 3]) {
      const { model, report } = dmdLayer(m, 'd3', x, { delays });
      expect(report.delays).toBe(delays);
      expect(report.inputDim).toBe([5, 5 + 6, 5 + 6 + 4][delays - 1]);
      errs.push(report.reconstructionError);
      model.dispose();
    }
    expect(errs[0]).toBeGreaterThan(1e-3); // relu layer: not linear in its input
    expect(errs[1]).toBeLessThanOrEqual(errs[0] * (1 + 1e-12));
    expect(errs[2]).toBeLessThanOrEqual(errs[1] * (1 + 1e-12));
    m.dispose();
    x.dispose();
  });

  it('the replacing layer reads the delay states and reproduces the fitted reconstruction', () => {
    const m = smallModel(31);
    const x = tf.randomUniform([250, 4], -1, 1, 'float32', 6);
    const { model, report } = dmdLayer(m, 'd3', x, { delays: 2 });
    expect(report.delayStates).toEqual(['lin', 'd1']);
    expect(model.getLayer('d3_delays').getClassName()).toBe('Concatenate');
    const k = model.getLayer('d3').getWeights()[0];
    expect(k.shape).toEqual([11, 3]);
    // reconstruction error recomputed from the new model's d3 outputs
    const inner = (mm: tf.LayersModel) => tf.model({ inputs: mm.inputs, outputs: mm.getLayer('d3').output as tf.SymbolicTensor });
    const h = (inner(m).predict(x) as tf.Tensor).dataSync();
    const hh = (inner(model).predict(x) as tf.Tensor).dataSync();
    let num = 0;
    let den = 0;
    for (let i = 0; i < h.length; i++) {
      num += (h[i] - hh[i]) ** 2;
      den += h[i] ** 2;
    }
    expect(Math.sqrt(num / den)).toBeCloseTo(report.reconstructionError, 4);
    model.dispose();
    m.dispose();
    x.dispose();
  });

  it('refuses bad input clearly', () => {
    const m = smallModel(41);
    const x = tf.randomUniform([30, 4], -1, 1, 'float32', 7);
    expect(() => dmdLayer(m, 'nope', x)).toThrow("no layer named 'nope' in the model; its layers are 'd1', 'lin', 'd3', 'out'");
    expect(() => dmdLayer(m, 'd3', x, { delays: 4 })).toThrow(/delays 4 is too many for layer 'd3': only 3 state\(s\) come before it/);
    expect(() => dmdLayer(m, 'd3', x.slice([0, 0], [12, 4]), { delays: 3 })).toThrow(/12 samples are too few for delays 3 and rank -1 with affine: the delay vector has 15 numbers, so at least 16 samples are needed/);
    expect(() => dmdLayer(m, 'd3', x.slice([0, 0], [4, 4]), { rank: 5 })).toThrow(/4 samples are too few for delays 1 and rank 5 with affine/);
    expect(() => dmdLayer(m, 'd3', x, { delay: 2 } as never)).toThrow("dmdLayer: unknown option 'delay' (accepted: delays, rank, affine, tol, batchSize)");
    expect(() => dmdLayer(m, 'd3', x, { rank: 1.5 })).toThrow(/rank must be -1 \(full\), 0/);
    expect(() => dmdLayer(m, 'd3', x, { delays: 0 })).toThrow('delays must be an integer ≥ 1; got 0');
    expect(() => dmdLayer(m, 'd3', tf.zeros([5, 3]))).toThrow('inputs must be a 2-D tensor [samples, 4]; got [5, 3]');
    const withDropout = tf.sequential();
    withDropout.add(tf.layers.dense({ inputShape: [4], units: 3, name: 'a' }));
    withDropout.add(tf.layers.dropout({ rate: 0.1, name: 'drop' }));
    withDropout.add(tf.layers.dense({ units: 2, name: 'b' }));
    expect(() => dmdLayer(withDropout, 'drop', x)).toThrow("layer 'drop' is a Dropout layer, not a Dense layer; only Dense layers can be replaced");
    // the other layers are fine, and a Dropout state can be a delay
    const ok = dmdLayer(withDropout, 'b', x, { delays: 2 });
    expect(ok.report.delayStates).toEqual(['drop', 'a']);
    ok.model.dispose();
    withDropout.dispose();
    m.dispose();
    x.dispose();
  });

  it('leaves the tensor count flat and the original model working', () => {
    const m = smallModel(51);
    const x = tf.randomUniform([120, 4], -1, 1, 'float32', 8);
    const before = tf.memory().numTensors;
    for (const delays of [1, 2]) {
      const { model } = dmdLayer(m, 'd3', x, { delays, rank: 0, batchSize: 50 });
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(() => dmdLayer(m, 'nope', x)).toThrow();
    expect(tf.memory().numTensors).toBe(before);
    const y = tf.tidy(() => (m.predict(x) as tf.Tensor).sum().dataSync()[0]);
    expect(Number.isFinite(y)).toBe(true);
    m.dispose();
    x.dispose();
  });

  it('documents its defaults in one constant', () => {
    expect(DMD_LAYER_DEFAULTS).toEqual({ delays: 1, rank: -1, affine: true, tol: 1e-7, batchSize: 1024 });
  });
});
