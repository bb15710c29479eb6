import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { realFourierCoefficients, synthesize } from '../src/losses/fft.js';
import { layerScales, sobolevNorm, sobolevNormSquared } from '../src/losses/sobolev.js';
import { sobolevLoss, sobolevLoss1, sobolevLoss2 } from '../src/losses/tf-sobolev.js';
import { rng } from './helpers.js';

const grid = (n: number) => Array.from({ length: n }, (_, j) => j / n);

describe('H^s norm on the torus (seed 003, eq. 5)', () => {
  it('a single mode A·cos(2πkθ) has norm (A/√2)·(1 + (2πk)²)^{s/2}', () => {
    const A = 1.7;
    for (const n of [64, 90]) {
      for (const k of [0, 1, 3, 7]) {
        const g = grid(n).map((t) => A * Math.cos(2 * Math.PI * k * t + 0.4));
        for (const s of [-0.5, -1, -2]) {
          const amp = k === 0 ? A * Math.cos(0.4) : A / Math.SQRT2;
          expect(sobolevNorm(g, s)).toBeCloseTo(amp * (1 + (2 * Math.PI * k) ** 2) ** (s / 2), 10);
        }
      }
    }
  });

  it('s = 0 is the L² norm √(mean g²) (Parseval), for FFT and direct lengths', () => {
    const r = rng(7);
    for (const n of [128, 45]) {
      const g = Array.from({ length: n }, () => r() - 0.3);
      const l2 = Math.sqrt(g.reduce((a, v) => a + v * v, 0) / n);
      expect(sobolevNorm(g, 0)).toBeCloseTo(l2, 12);
    }
  });

  it('the FFT agrees with the direct sum', () => {
    const r = rng(3);
    const g = Array.from({ length: 32 }, () => r());
    const spec = realFourierCoefficients(g);
    for (const k of [0, 1, 5, 16]) {
      let re = 0;
      let im = 0;
      g.forEach((v, j) => {
        re += (v * Math.cos((2 * Math.PI * k * j) / 32)) / 32;
        im -= (v * Math.sin((2 * Math.PI * k * j) / 32)) / 32;
      });
      expect(spec.re[k]).toBeCloseTo(re, 12);
      expect(spec.im[k]).toBeCloseTo(im, 12);
    }
  });

  it('synthesize projects onto the chosen modes', () => {
    const n = 64;
    const part = grid(n).map((t) => 0.5 + 2 * Math.sin(2 * Math.PI * 3 * t));
    const g = part.map((v, j) => v + Math.cos(2 * Math.PI * 9 * (j / n)));
    const back = synthesize(realFourierCoefficients(g), [0, 3], n);
    back.forEach((v, j) => expect(v).toBeCloseTo(part[j], 12));
  });

  it('rejects non-finite samples and indices', () => {
    expect(() => sobolevNorm([1, NaN, 2], -1)).toThrow(/sample 1 is not finite/);
    expect(() => sobolevNorm([1, 2], Infinity)).toThrow(/index s/);
    expect(() => layerScales(3, 'cubic' as never)).toThrow(/scale/);
    expect(layerScales(4, 'linear')).toEqual([0, 1, 2, 3]);
    expect(layerScales(4, 'exponential')).toEqual([1, 2, 4, 8]);
  });
});

describe('tfjs Sobolev losses', () => {
  it('on a uniform grid the loss over all modes is ‖f − h‖²_{H^s}', async () => {
    await tf.setBackend('cpu');
    const n = 64;
    const r = rng(11);
    const f = Array.from({ length: n }, () => r());
    const h = Array.from({ length: n }, () => r());
    const before = tf.memory().numTensors;
    const loss = sobolevLoss({ theta: grid(n), modes: Array.from({ length: 33 }, (_, k) => k), index: -0.5 });
    const yTrue = tf.tensor2d(h, [n, 1]);
    const yPred = tf.tensor2d(f, [n, 1]);
    const v = loss(yTrue, yPred);
    const expected = sobolevNormSquared(f.map((x, j) => x - h[j]), -0.5);
    expect(v.dataSync()[0]).toBeCloseTo(expected, 5);
    tf.dispose([v, yTrue, yPred]);
    loss.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Sobolev loss 2 is the sum of the layers\' shells of Sobolev loss 1 on the same output', async () => {
    await tf.setBackend('cpu');
    const n = 50;
    const r = rng(5);
    const theta = Array.from({ length: n }, () => r());
    const yTrue = tf.tensor2d(Array.from({ length: n }, () => r()), [n, 1]);
    const yPred = tf.tensor2d(Array.from({ length: n }, () => r()), [n, 1]);
    const l1 = sobolevLoss1(theta, 9, 'linear');
    const l2 = sobolevLoss2(theta, 9, 'linear');
    const sum = l1.reduce((a, l) => a + l(yTrue, yPred).dataSync()[0], 0);
    expect(l2(yTrue, yPred).dataSync()[0]).toBeCloseTo(sum, 5);
    l1.forEach((l) => l.dispose());
    l2.dispose();
    tf.dispose([yTrue, yPred]);
  });

  it('gradients are finite and match a central difference', async () => {
    await tf.setBackend('cpu');
    const n = 32;
    const theta = grid(n);
    const h = tf.tensor2d(theta.map((t) => Math.sin(2 * Math.PI * t) + t), [n, 1]);
    const f0 = theta.map((t) => 0.3 * Math.cos(2 * Math.PI * 2 * t));
    const loss = sobolevLoss({ theta, modes: [0, 1, 2, 3] });
    const before = tf.memory().numTensors;
    const g = tf.tidy(() => tf.grad((y: tf.Tensor) => loss(h, y))(tf.tensor2d(f0, [n, 1])).dataSync());
    expect(tf.memory().numTensors).toBe(before);
    for (const v of g) expect(Number.isFinite(v)).toBe(true);
    const at = (f: number[]) => tf.tidy(() => loss(h, tf.tensor2d(f, [n, 1])).dataSync()[0]);
    const eps = 1e-2;
    for (const j of [0, 7, 20]) {
      const up = f0.slice();
      const dn = f0.slice();
      up[j] += eps;
      dn[j] -= eps;
      expect(g[j]).toBeCloseTo((at(up) - at(dn)) / (2 * eps), 3);
    }
    tf.dispose(h);
    loss.dispose();
  });

  it('works in model.compile / fit and rejects unknown options and wrong batches by name', async () => {
    await tf.setBackend('cpu');
    const n = 16;
    const theta = grid(n);
    const loss = sobolevLoss({ theta, modes: [0, 1] });
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
    model.compile({ optimizer: tf.train.sgd(0.1), loss });
    const x = tf.tensor2d(theta, [n, 1]);
    const y = tf.tensor2d(theta.map((t) => 2 + Math.cos(2 * Math.PI * t)), [n, 1]);
    const hist = await model.fit(x, y, { batchSize: n, shuffle: false, epochs: 30, verbose: 0 });
    const l = hist.history.loss as number[];
    expect(l[l.length - 1]).toBeLessThan(l[0]);
    await expect(model.fit(x, y, { batchSize: 8, shuffle: false, epochs: 1, verbose: 0 })).rejects.toThrow(/batchSize 16/);
    expect(() => sobolevLoss({ theta, modes: [1], sigma: 2 } as never)).toThrow(/unknown option 'sigma'/);
    expect(() => sobolevLoss({ theta, modes: [-1] })).toThrow(/integers ≥ 0/);
    tf.dispose([x, y]);
    model.dispose();
    loss.dispose();
  });
});
