import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { emaMethod, emaTfMethod, lawaMethod, lookaheadMethod, plainMethod } from '../experiments/race/methods.js';
import { emaUpdate, LawaBuffer, lookaheadSync } from '../experiments/race/peers.js';
import { plainTarget, reachAt, runMethod } from '../experiments/race/run.js';
import { runObserved } from '../experiments/race/explore.js';
import type { Workload } from '../experiments/race/workloads.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('emaUpdate', () => {
  it('matches the closed form of a geometric sequence', () => {
    // w_t = r^t, avg_0 = a0: avg_n = d^n a0 + (1 − d) r (r^n − d^n) / (r − d)
    const d = 0.9;
    const r = 0.8;
    const a0 = 2;
    const avg = Float64Array.of(a0);
    for (let t = 1; t <= 30; t++) emaUpdate(avg, [r ** t], d);
    const n = 30;
    expect(avg[0]).toBeCloseTo(d ** n * a0 + ((1 - d) * r * (r ** n - d ** n)) / (r - d), 12);
  });
  it('rejects a decay outside [0, 1) and mismatched lengths', () => {
    expect(() => emaUpdate(new Float64Array(2), [1, 2], 1)).toThrow(/decay must be in \[0, 1\)/);
    expect(() => emaUpdate(new Float64Array(2), [1], 0.5)).toThrow(/average has 2 entries, weights 1/);
  });
});

describe('LawaBuffer', () => {
  it('averages the latest k checkpoints', () => {
    const b = new LawaBuffer(3);
    for (const v of [1, 2, 3, 4, 5]) b.push([v, 10 * v]);
    expect(Array.from(b.mean())).toEqual([4, 40]);
    expect(b.count).toBe(3);
  });
  it('names what is wrong', () => {
    expect(() => new LawaBuffer(0)).toThrow(/LAWA k must be an integer ≥ 1/);
    expect(() => new LawaBuffer(2).mean()).toThrow(/no checkpoint held yet/);
  });
});

describe('lookaheadSync', () => {
  it('moves the slow weights α of the way and resets the fast ones', () => {
    const slow = Float64Array.of(1, -2);
    const fast = Float64Array.of(0.5, 2);
    lookaheadSync(slow, fast, 0.5);
    expect(Array.from(slow)).toEqual([0.75, 0]);
    expect(Array.from(fast)).toEqual([0.75, 0]);
    expect(() => lookaheadSync(slow, fast, 0)).toThrow(/alpha must be in \(0, 1\]/);
  });
});

/**
 * One weight w, loss w²/2, SGD lr η: every step multiplies w by r = 1 − η. The "scored loss" is
 * the held weight itself, so each method's scores have a closed form.
 */
function scalarWorkload(epochs: number, stepsPerEpoch: number, lr: number): Workload {
  return {
    name: 'de-solver',
    optimizer: 'sgd',
    epochs,
    stepsPerEpoch,
    build: () => {
      const m = tf.sequential();
      m.add(tf.layers.dense({ units: 1, inputShape: [1], useBias: false, kernelInitializer: tf.initializers.constant({ value: 1 }) }));
      return m;
    },
    makeOptimizer: () => tf.train.sgd(lr),
    beginEpoch: () => undefined,
    step(model, opt) {
      const v = model.trainableWeights[0].read() as tf.Variable;
      const l = opt.minimize(() => tf.mul(0.5, tf.sum(tf.square(v))) as tf.Scalar, true, [v])!;
      const out = l.dataSync()[0];
      l.dispose();
      return out;
    },
    evaluate: (model) => ({ loss: (model.trainableWeights[0].read().dataSync() as Float32Array)[0], acc: NaN }),
    guardLoss: () => 0,
    guardData: null,
    endRun: () => undefined,
    dispose: () => undefined,
  };
}

describe('race methods on w²/2 (closed forms)', () => {
  const lr = 0.1;
  const r = 1 - lr;
  const spe = 5;
  const w = scalarWorkload(4, spe, lr);
  it('plain holds w0·r^t', async () => {
    const run = await runMethod(w, 0, plainMethod());
    run.loss.forEach((v, e) => expect(v).toBeCloseTo(r ** (spe * e), 6));
    expect(run.tensorDelta).toBe(0);
  });
  it('ema holds the closed-form average', async () => {
    const d = 0.8;
    const run = await runMethod(w, 0, emaMethod(d));
    run.loss.forEach((v, e) => {
      const n = spe * e;
      expect(v).toBeCloseTo(d ** n + (n ? ((1 - d) * r * (r ** n - d ** n)) / (r - d) : 0), 6);
    });
    expect(run.tensorDelta).toBe(0);
  });
  it('ema-tf (in-graph average) holds the same closed-form average, without leaking', async () => {
    const d = 0.8;
    const run = await runMethod(w, 0, emaTfMethod(d));
    run.loss.forEach((v, e) => {
      const n = spe * e;
      expect(v).toBeCloseTo(d ** n + (n ? ((1 - d) * r * (r ** n - d ** n)) / (r - d) : 0), 6);
    });
    expect(run.tensorDelta).toBe(0);
  });
  it('lookahead (k = 5, α = 0.5) holds w0·(1 + α(r⁵ − 1))^sync after each sync', async () => {
    const run = await runMethod(w, 0, lookaheadMethod(5, 0.5));
    run.loss.forEach((v, e) => expect(v).toBeCloseTo((1 + 0.5 * (r ** 5 - 1)) ** e, 6));
    expect(run.tensorDelta).toBe(0);
  });
  it('lawa (k = 3) holds the mean of the latest three epoch ends', async () => {
    const run = await runMethod(w, 0, lawaMethod(3));
    run.loss.slice(1).forEach((v, i) => {
      const e = i + 1;
      const ends = [e - 2, e - 1, e].filter((x) => x >= 1).map((x) => r ** (spe * x));
      expect(v).toBeCloseTo(ends.reduce((a, b) => a + b, 0) / ends.length, 6);
    });
  });
});

describe('runObserved', () => {
  it('scores observers on one plain trajectory, each clock = training + its own work', async () => {
    const lr = 0.1;
    const r = 1 - lr;
    const d = 0.8;
    const [plain, ema, lawa] = await runObserved(scalarWorkload(3, 5, lr), 0, ['ema', 'lawa'], d);
    expect(plain.method).toBe('plain');
    plain.loss.forEach((v, e) => expect(v).toBeCloseTo(r ** (5 * e), 6));
    ema.loss.forEach((v, e) => {
      const n = 5 * e;
      expect(v).toBeCloseTo(d ** n + (n ? ((1 - d) * r * (r ** n - d ** n)) / (r - d) : 0), 6);
    });
    expect(lawa.loss[3]).toBeCloseTo((r ** 5 + r ** 10 + r ** 15) / 3, 6);
    for (const run of [ema, lawa]) run.wallMs.forEach((t, e) => expect(t).toBeGreaterThanOrEqual(plain.wallMs[e]));
    expect(plain.tensorDelta).toBe(0);
  });
});

describe('reachAt and plainTarget', () => {
  it('interpolates the crossing linearly and averages the last three evaluations', () => {
    expect(plainTarget([5, 4, 3, 2, 1])).toBe(2);
    // loss 4 → 2 between t = 10 and 20 crosses 3 at 15
    expect(reachAt([5, 4, 2], [0, 10, 20], 3)).toBe(15);
    expect(reachAt([5, 4, 3.5], [0, 10, 20], 3)).toBeNaN();
  });
});
