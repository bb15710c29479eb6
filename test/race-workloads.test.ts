import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { fashionWorkload, releaseFashionData } from '../experiments/race/workloads.js';
import { buildCnn, layerSeed, SEED_ZERO } from '../experiments/shared/cnn.js';

const SIZES = { train: 1_280, validation: 1_500, guard: 300, batchSize: 64 };


/** Watches the backend's readSync: the largest read (values) until restore(). */
function spyOnReads(): { largest(): number; restore(): void } {
  const backend = tf.backend() as unknown as { readSync(id: object, s?: number, e?: number): ArrayLike<number> };
  const orig = backend.readSync.bind(backend);
  let largest = 0;
  backend.readSync = (id, s, e) => {
    const out = orig(id, s, e);
    largest = Math.max(largest, out.length);
    return out;
  };
  return { largest: () => largest, restore: () => void (backend.readSync = orig) };
}
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
    const reads = spyOnReads();
    const before = tf.memory().numTensors;
    try {
      for (let step = 1; step < 4; step++) w.step(model, opt, step);
    } finally {
      reads.restore();
    }
    // the largest read is a weight (784 × 20) or a batch (64 × 784), never the epoch's 1 280 × 784 images
    expect(reads.largest()).toBeGreaterThan(0);
    expect(reads.largest()).toBeLessThanOrEqual(64 * 784);
    expect(tf.memory().numTensors).toBe(before);
    w.endRun();
    model.dispose();
    opt.dispose();
    w.dispose();
  });

  it('trains the seed-003 CNN (fashion-cnn) on images gathered by index: loss falls, reads stay batch-sized, no tensor leaks', async () => {
    await selectBackend('wasm'); // registers Conv2DBackpropFilter, which the CNN's gradient needs
    const w = fashionWorkload('fashion-cnn', 'adam', 3, { train: 256, validation: 200, guard: 100, batchSize: 32 });
    expect(w.stepsPerEpoch).toBe(8);
    const model = w.build(1);
    expect(model.inputs[0].shape).toEqual([null, 28, 28, 1]);
    const [gx] = w.guardData!;
    expect(gx.shape).toEqual([100, 28, 28, 1]);
    const opt = w.makeOptimizer();
    const before0 = w.evaluate(model).loss;
    w.beginEpoch(1, 0);
    const first = w.step(model, opt, 0); // first call: Adam's slots are created
    const reads = spyOnReads();
    const before = tf.memory().numTensors;
    const losses: number[] = [first];
    try {
      for (let step = 1; step < 8; step++) {
        losses.push(w.step(model, opt, step));
        expect(tf.memory().numTensors).toBe(before);
      }
    } finally {
      reads.restore();
    }
    // the largest read is a batch of images (32 × 784) or the dense head's kernel (512 × 100),
    // never the 256 training images
    expect(reads.largest()).toBeGreaterThan(0);
    expect(reads.largest()).toBeLessThanOrEqual(512 * 100);
    // Adam 1e-3 on one epoch of 256 images: the mini-batch loss of the last steps is below the first ones',
    // and the scored loss below the untrained one (≈ ln 10)
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(losses.slice(-3))).toBeLessThan(mean(losses.slice(0, 3)) - 0.1);
    expect(w.evaluate(model).loss).toBeLessThan(before0 - 0.1);
    w.endRun();
    model.dispose();
    opt.dispose();
    w.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
  });
});

describe("seed 003's CNN builder", () => {
  it('gives the same initial weights for a seed at every build, seed 0 included (tfjs samples afresh for a seed of 0)', async () => {
    await selectBackend('wasm');
    for (const seed of [0, 3]) {
      const a = buildCnn(seed);
      const b = buildCnn(seed);
      const wa = a.getWeights().map((t) => Array.from(t.dataSync()));
      const wb = b.getWeights().map((t) => Array.from(t.dataSync()));
      expect(wa).toEqual(wb);
      // He normal: the first kernel's spread is √(2 / fan_in) = √(2 / 25), truncated at 2σ (× 0.88)
      const k = wa[0];
      const sd = Math.sqrt(k.reduce((x, v) => x + v * v, 0) / k.length);
      expect(sd).toBeGreaterThan(0.2);
      expect(sd).toBeLessThan(0.32);
      a.dispose();
      b.dispose();
    }
    expect(layerSeed(0, 0)).toBe(SEED_ZERO);
    expect(layerSeed(2, 1)).toBe(2 * 1009 + 17);
  });
});
