import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { fashionWorkload, releaseFashionData } from '../experiments/race/workloads.js';

const SIZES = { train: 1_280, validation: 1_500, guard: 300, batchSize: 64 };

describe('race Fashion-MLP workload', () => {
  afterAll(() => releaseFashionData());

  it('scores in blocks what model.evaluate scores on the whole set, and guards on its guardData', async () => {
    await selectBackend('wasm');
    const w = fashionWorkload('fashion-mlp', 'adam', 3, SIZES);
    const model = w.build(2);
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const [gx, gy] = w.guardData!;
    expect(gx.shape).toEqual([300, 784]);
    const ev = model.evaluate(gx, gy, { batchSize: 64 }) as tf.Scalar;
    expect(w.guardLoss(model)).toBeCloseTo(ev.dataSync()[0], 5);
    ev.dispose();
    // the scored set (1 500 images in blocks of 1 000 and 500) is the mean over all its images
    const s = w.evaluate(model);
    expect(s.loss).toBeGreaterThan(2);
    expect(s.loss).toBeLessThan(2.6); // ≈ ln 10 for an untrained 10-class softmax
    model.dispose();
    w.dispose();
  });

  it('takes a step without reading any tensor larger than a batch (no O(epoch) copy a step on wasm)', async () => {
    await selectBackend('wasm');
    const w = fashionWorkload('fashion-mlp', 'adam', 3, SIZES);
    const model = w.build(2);
    const opt = w.makeOptimizer();
    w.beginEpoch(2, 0);
    w.step(model, opt, 0); // first call: optimizer slots are created
    const backend = tf.backend() as unknown as { readSync(id: object, s?: number, e?: number): ArrayLike<number> };
    const orig = backend.readSync.bind(backend);
    let largest = 0;
    backend.readSync = (id, s, e) => {
      const out = orig(id, s, e);
      largest = Math.max(largest, out.length);
      return out;
    };
    const before = tf.memory().numTensors;
    try {
      for (let step = 1; step < 4; step++) w.step(model, opt, step);
    } finally {
      backend.readSync = orig;
    }
    // the largest read is a weight (784 × 20) or a batch (64 × 784), never the epoch's 1 280 × 784 images
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThanOrEqual(64 * 784);
    expect(tf.memory().numTensors).toBe(before);
    w.endRun();
    model.dispose();
    opt.dispose();
    w.dispose();
  });
});
