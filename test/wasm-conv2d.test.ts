import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { conv2DBackpropFilterWasm, registerWasmConv2DBackpropFilter, selectBackend } from '../src/backend/index.js';
import { mulberry32 } from '../src/linalg/random.js';

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  x: [number, number, number, number];
  f: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
  format: 'NHWC' | 'NCHW';
}

const CASES: Case[] = [
  { x: [2, 8, 8, 1], f: [3, 3, 1, 4], strides: [1, 1], pad: 'valid', format: 'NHWC' },
  { x: [3, 9, 7, 2], f: [3, 2, 2, 3], strides: [1, 1], pad: 'same', format: 'NHWC' },
  { x: [2, 11, 10, 3], f: [5, 5, 3, 2], strides: [2, 3], pad: 'same', format: 'NHWC' },
  { x: [2, 10, 9, 2], f: [3, 3, 2, 5], strides: [2, 2], pad: 'valid', format: 'NHWC' },
  { x: [2, 7, 8, 2], f: [3, 3, 2, 3], strides: [1, 2], pad: 2, format: 'NHWC' },
  { x: [2, 9, 9, 2], f: [3, 3, 2, 2], strides: [2, 2], pad: 1, format: 'NHWC' },
  { x: [2, 12, 12, 1], f: [4, 4, 1, 2], strides: [2, 2], pad: 'valid', format: 'NHWC' },
  { x: [1, 6, 7, 2], f: [2, 3, 2, 2], strides: [1, 1], pad: [[0, 0], [1, 0], [2, 1], [0, 0]], format: 'NHWC' },
  { x: [2, 2, 8, 9], f: [3, 3, 2, 3], strides: [1, 1], pad: 'same', format: 'NCHW' },
  { x: [2, 3, 7, 7], f: [3, 2, 3, 2], strides: [2, 1], pad: [[0, 0], [0, 0], [1, 1], [0, 2]], format: 'NCHW' },
];

function randomArray(n: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = 2 * rng() - 1;
  return a;
}

/** The output shape of conv2d for the case (computed on cpu, which has every data format). */
function outputShape(c: Case): number[] {
  return tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.f) as tf.Tensor4D, c.strides, c.pad as 'same', c.format).shape);
}

/**
 * The filter gradient of sum(conv2d(x, f) ⊙ r) on the current backend: through tf.grad for NHWC,
 * straight through the kernel for NCHW (wasm's forward Conv2D refuses NCHW, so training never
 * reaches the kernel with it, but the kernel accepts it).
 */
function filterGradient(c: Case, outShape: number[], seed: number): { grad: Float32Array; shape: number[] } {
  return tf.tidy(() => {
    const x = tf.tensor4d(randomArray(c.x.reduce((p, q) => p * q), seed), c.x);
    const f0 = tf.tensor4d(randomArray(c.f.reduce((p, q) => p * q), seed + 1), c.f);
    const r = tf.tensor(randomArray(outShape.reduce((p, q) => p * q), seed + 2), outShape);
    const g =
      c.format === 'NHWC'
        ? tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, c.strides, c.pad as 'same', c.format), r)))(f0)
        : (tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: r }, {
            strides: c.strides,
            pad: c.pad,
            dataFormat: c.format,
            filterShape: c.f,
          } as unknown as tf.NamedAttrMap) as tf.Tensor);
    return { grad: g.dataSync() as Float32Array, shape: g.shape };
  });
}

describe('Conv2DBackpropFilter on wasm', () => {
  it('is registered by selectBackend("wasm"), once', async () => {
    await selectBackend('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(registerWasmConv2DBackpropFilter()).toBe(false);
  });

  it('matches the cpu backend on strides, valid/same/numeric/explicit padding, NHWC and NCHW', async () => {
    for (const [i, c] of CASES.entries()) {
      await selectBackend('cpu');
      const out = outputShape(c);
      const want = filterGradient(c, out, 100 + 7 * i);
      await selectBackend('wasm');
      const before = tf.memory().numTensors;
      const got = filterGradient(c, out, 100 + 7 * i);
      expect(tf.memory().numTensors).toBe(before);
      expect(got.shape).toEqual(c.f);
      expect(got.shape).toEqual(want.shape);
      let scale = 0;
      let err = 0;
      for (let j = 0; j < want.grad.length; j++) {
        scale = Math.max(scale, Math.abs(want.grad[j]));
        err = Math.max(err, Math.abs(want.grad[j] - got.grad[j]));
      }
      expect(scale).toBeGreaterThan(0.1);
      // float32 rounding of sums of a few hundred products
      expect(err / scale, `case ${i}: ${JSON.stringify(c)}`).toBeLessThan(1e-5);
    }
  });

  it('trains a small CNN on wasm (loss falls) without leaking tensors', async () => {
    await selectBackend('wasm');
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy' });
    const rng = mulberry32(5);
    const n = 64;
    const xs = new Float32Array(n * 64);
    const ys = new Float32Array(n * 2);
    for (let s = 0; s < n; s++) {
      const cls = s % 2;
      for (let p = 0; p < 64; p++) xs[s * 64 + p] = (cls ? (p % 8) / 8 : Math.floor(p / 8) / 8) + 0.2 * rng();
      ys[s * 2 + cls] = 1;
    }
    const x = tf.tensor4d(xs, [n, 8, 8, 1]);
    const y = tf.tensor2d(ys, [n, 2]);
    const h = await model.fit(x, y, { epochs: 15, batchSize: 16, verbose: 0 });
    const loss = h.history.loss as number[];
    expect(loss[loss.length - 1]).toBeLessThan(0.5 * loss[0]);
    x.dispose();
    y.dispose();
    model.dispose();
  });

  it('refuses a filter shape that does not fit x and dy, naming the shapes', async () => {
    await selectBackend('wasm');
    const x = tf.zeros([1, 5, 5, 1]);
    const dy = tf.zeros([1, 3, 3, 2]);
    expect(() =>
      conv2DBackpropFilterWasm({
        inputs: { x, dy },
        backend: tf.backend(),
        attrs: { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 1, 1] },
      }),
    ).toThrow('Conv2DBackpropFilter (wasm): filterShape [3,3,1,1] does not fit x [1,5,5,1] and dy [1,3,3,2] (NHWC)');
    x.dispose();
    dy.dispose();
  });
});
