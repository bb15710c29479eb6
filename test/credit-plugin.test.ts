import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { KOOPMAN_CREDIT_DEFAULTS, koopmanCredit } from '../plugins/koopman-credit/index.js';
import { selectBackend } from '../src/backend/index.js';
import { rng } from './helpers.js';

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const r = rng(seed);
  const n = shape.reduce((p, q) => p * q, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => 2 * r() - 1), shape);
}

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('koopmanCredit (tfjs entry)', () => {
  it('recovers the kernels of a linear Dense chain (float32 rounding), leaves no tensor behind', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 4, useBias: false, kernelInitializer: tf.initializers.randomNormal({ seed: 1 }) }),
        tf.layers.dense({ units: 3, useBias: true, biasInitializer: tf.initializers.constant({ value: 0.1 }), kernelInitializer: tf.initializers.randomNormal({ seed: 2 }) }),
      ],
    });
    const x = randomTensor([12, 4], 3);
    const before = tf.memory().numTensors;
    const res = koopmanCredit(model, x, { components: 'all', repeats: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(x.isDisposed).toBe(false);
    const kernels = model.getWeights().filter((w) => w.shape.length === 2);
    res.blocks.forEach((b, i) => {
      const w = kernels[i].arraySync() as number[][]; // [in, out]: y = x W, K = Wᵀ
      for (let r = 0; r < b.operator.rows; r++)
        for (let c = 0; c < b.operator.cols; c++) expect(Math.abs(b.operator.data[r * b.operator.cols + c] - w[c][r])).toBeLessThan(1e-5);
    });
    expect(res.blocks.map((b) => b.type)).toEqual(['E2E', 'L2S']);
    expect(Array.from(res.blocks[1].offset).every((v) => Math.abs(v - 0.1) < 1e-5)).toBe(true);
    x.dispose();
    model.dispose();
  });

  it('credits a small CNN layer by layer with one kernel credit per conv channel', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
      ],
    });
    const x = tf.tidy(() => randomTensor([40, 8, 8, 1], 6).abs());
    const before = tf.memory().numTensors;
    const res = koopmanCredit(model, x, { components: 8, repeats: 2, seed: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(res.blocks.map((b) => [b.name, b.kind, b.layers.length])).toEqual([
      [model.layers[0].name, 'conv', 1],
      [model.layers[1].name, 'pool', 2],
      [model.layers[3].name, 'dense', 1],
    ]);
    expect(res.blocks[0].kernels?.credits.length).toBe(3);
    expect(res.blocks.every((b) => Number.isFinite(b.logCredit))).toBe(true);
    expect(res.featureWeights.rows).toBe(4);
    expect(res.featureWeights.cols).toBe(64);
    expect(res.inputShape).toEqual([8, 8, 1]);
    x.dispose();
    model.dispose();
  });

  it('names a layer it cannot take, and unknown option keys', () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [3], units: 3 }), tf.layers.batchNormalization(), tf.layers.dense({ units: 2 })],
    });
    const x = randomTensor([8, 3], 1);
    expect(() => koopmanCredit(model, x)).toThrow(
      `layer '${model.layers[1].name}' is a BatchNormalization, which Koopman credit assignment cannot take`,
    );
    expect(() => koopmanCredit(model, x, { repeatz: 2 } as never)).toThrow("unknown credit option 'repeatz'");
    expect(KOOPMAN_CREDIT_DEFAULTS.repeats).toBe(10);
    x.dispose();
    model.dispose();
  });
});
