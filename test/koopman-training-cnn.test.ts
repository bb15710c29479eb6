import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { koopmanTraining } from '../plugins/koopman-training/index.js';
import { selectBackend } from '../src/backend/select.js';
import { rng } from './helpers.js';

// A Conv2D model trained on the wasm backend (which needs the Conv2DBackpropFilter kernel the
// library registers) with Koopman training: node = one output channel.

beforeAll(async () => {
  const b = await selectBackend('wasm');
  expect(b.name).toBe('wasm');
});

describe('koopmanTraining on a CNN, wasm backend', () => {
  it('trains, groups one operator per output channel, decides a guarded jump, leaks no tensor', async () => {
    const r = rng(7);
    const n = 64;
    const X = Array.from({ length: n }, () => Array.from({ length: 8 * 8 }, () => r()));
    const labels = X.map((x) => (x.slice(0, 32).reduce((a, b) => a + b, 0) > x.slice(32).reduce((a, b) => a + b, 0) ? 1 : 0));
    const x = tf.tensor4d(X.flat(), [n, 8, 8, 1]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 2).toFloat();
    const build = () => {
      const m = tf.sequential();
      m.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'conv', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
      m.add(tf.layers.flatten());
      m.add(tf.layers.dense({ units: 2, activation: 'softmax', name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
      m.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
      return m;
    };
    // the same training without the plugin: optimizers create their slot variables lazily
    const plain = build();
    let at = tf.memory().numTensors;
    await plain.fit(x, y, { epochs: 8, batchSize: 16, shuffle: false, verbose: 0 });
    const plainGrowth = tf.memory().numTensors - at;
    const m = build();
    const loss0 = tf.tidy(() => (m.evaluate(x, y) as tf.Scalar).dataSync()[0]);
    at = tf.memory().numTensors;
    const kt = koopmanTraining({ window: { start: 2, end: 5, unit: 'epoch' }, horizon: 2, guard: { validationData: [x, y] } });
    await m.fit(x, y, { epochs: 8, batchSize: 16, shuffle: false, verbose: 0, callbacks: [kt] });
    expect(tf.memory().numTensors - at).toBe(plainGrowth);
    const loss1 = tf.tidy(() => (m.evaluate(x, y) as tf.Scalar).dataSync()[0]);
    expect(loss1).toBeLessThan(loss0);
    expect(kt.lastFit!.groups.filter((g) => g.layer === 'conv').map((g) => g.indices.length)).toEqual([10, 10, 10, 10]); // 3·3·1 + bias
    expect(kt.lastFit!.groups.filter((g) => g.layer === 'out')).toHaveLength(2);
    expect(kt.report.jumps).toHaveLength(1);
    const j = kt.report.jumps[0];
    expect(j.candidates.map((c) => c.horizon)).toEqual([1, 2, 4, 8]); // T = 2 epochs of 4 steps
    expect(j.candidates.every((c) => Number.isFinite(c.loss))).toBe(true);
    expect(j.lossAfter).toBeLessThanOrEqual(j.lossBefore); // the guard never keeps a worse jump
  });
});
