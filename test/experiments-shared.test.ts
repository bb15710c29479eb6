import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SOLVER_OPTIMIZERS, solverOptimizer } from '../experiments/shared/de-solver/optimizers.js';
import { MLP_ADADELTA } from '../experiments/shared/mlp.js';
import { makeOptimizer } from '../experiments/shared/optimizers.js';
import { fixed, mdHeader, mdRow, mdTable, percent, precision, times } from '../experiments/shared/report/markdown.js';
import { mergeRuns } from '../experiments/shared/runs.js';
import { trainSteps } from '../experiments/shared/train.js';
import { selectBackend } from '../src/backend/index.js';
import { getLearningRate, setLearningRate } from '../src/tfjs/learning-rate.js';

// The helpers the experiments share (experiments/shared): one optimizer factory, one training
// loop, one runs merge, one set of Markdown helpers.

beforeAll(async () => {
  await selectBackend('wasm');
});

/** The first update of `opt` on f(v) = Σ gᵢvᵢ from v = 0 (the gradient is g exactly). */
function firstUpdate(opt: tf.Optimizer, g: number[]): number[] {
  const v = tf.variable(tf.zeros([g.length]));
  opt.minimize(() => tf.sum(tf.mul(v, tf.tensor1d(g))) as tf.Scalar, false, [v]);
  const d = Array.from(v.dataSync());
  v.dispose();
  opt.dispose();
  return d;
}

describe('experiments/shared: one optimizer factory', () => {
  const g = [1.5, -2, 0.25];

  it('Adadelta is the Zeiler/PyTorch update with the settings passed: Δ₁ = −lr·√ε/√((1−ρ)g² + ε)·g', () => {
    for (const s of [SOLVER_OPTIMIZERS.adadelta, MLP_ADADELTA]) {
      const d = firstUpdate(makeOptimizer(s), g);
      const { learningRate: lr, rho, epsilon } = s as { learningRate: number; rho: number; epsilon: number };
      // float32 arithmetic in tfjs: relative agreement to 1e-5
      g.forEach((gi, i) => expect(d[i] / (-lr * (Math.sqrt(epsilon) / Math.sqrt((1 - rho) * gi * gi + epsilon)) * gi)).toBeCloseTo(1, 5));
    }
  });

  it('Adam with the solver settings: the first update is −lr·ĝ/(|ĝ| + ε) ≈ −lr·sign(g)', () => {
    const s = SOLVER_OPTIMIZERS.adam;
    const d = firstUpdate(makeOptimizer(s), g);
    // tfjs bias-corrects with 1 − β in float32: 1 − fround(0.9999) is 1e-4 to 2e-5 relative
    g.forEach((gi, i) => expect(d[i] / (-s.learningRate * Math.sign(gi))).toBeCloseTo(1, 3));
  });

  it('Adagrad with a zero accumulator: the first update is −lr·g/|g|', () => {
    const s = SOLVER_OPTIMIZERS.adagrad;
    const d = firstUpdate(makeOptimizer(s), g);
    g.forEach((gi, i) => expect(d[i] / (-s.learningRate * Math.sign(gi))).toBeCloseTo(1, 5));
  });

  it('unset fields are tfjs defaults: the same update as tf.train.adam(lr)', () => {
    expect(firstUpdate(makeOptimizer({ name: 'adam', learningRate: 1e-3 }), g)).toEqual(firstUpdate(tf.train.adam(1e-3), g));
    firstUpdate(makeOptimizer({ name: 'sgd', learningRate: 0.1 }), g).forEach((d, i) => expect(d).toBeCloseTo(-0.1 * g[i], 7));
  });

  it('rejects an option the optimizer does not have, and an unknown optimizer, naming them', () => {
    expect(() => makeOptimizer({ name: 'adam', learningRate: 1, rho: 0.9 })).toThrow("optimizer adam: unknown option 'rho' (accepted: learningRate, beta1, beta2, epsilon)");
    expect(() => makeOptimizer({ name: 'sgd', learningRate: 1, beta: 2 } as never)).toThrow("optimizer sgd: unknown option 'beta' (accepted: learningRate)");
    expect(() => makeOptimizer({ name: 'rmsprop', learningRate: 1 } as never)).toThrow('optimizer must be one of adam, adagrad, adadelta, sgd; got rmsprop');
    expect(() => solverOptimizer('sgd' as never)).toThrow('optimizer must be one of adam, adagrad, adadelta; got sgd');
  });
});

describe('src/tfjs: one learning-rate setter', () => {
  it('sets SGD through its own setter (its cached tensor follows) and Adam through the field', () => {
    const sgd = tf.train.sgd(0.1);
    setLearningRate(sgd, 0.02);
    expect(getLearningRate(sgd)).toBe(0.02);
    expect(firstUpdate(sgd, [1, -1])).toEqual([Math.fround(-0.02), Math.fround(0.02)]);
    const adam = tf.train.adam(0.1);
    setLearningRate(adam, 0.05);
    expect(firstUpdate(adam, [1, -1]).map((x) => x / 0.05)).toEqual([expect.closeTo(-1, 4), expect.closeTo(1, 4)]);
  });
});

describe('experiments/shared: one training loop', () => {
  it('makes the updates of gradient descent on v² with the scheduled rate, reports each loss, stops when told, and leaks no tensor', async () => {
    const v = tf.variable(tf.scalar(1));
    const opt = tf.train.sgd(0.1);
    const before = tf.memory().numTensors;
    const seen: { step: number; loss: number }[] = [];
    // η(s) = 0.1 / s: v_s = v_{s−1}(1 − 2η(s)), the loss of update s is v_{s−1}²
    const done = await trainSteps(opt, () => tf.square(v).asScalar(), [v], {
      steps: 10,
      learningRate: (s) => 0.1 / s,
      onStep: ({ step, loss, ms, cpuUs }) => {
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(cpuUs).toBeGreaterThanOrEqual(0);
        seen.push({ step, loss });
        return step === 4 ? 'stop' : undefined;
      },
    });
    expect(done).toBe(4);
    let x = 1;
    const expected: number[] = [];
    for (let s = 1; s <= 4; s++) {
      expected.push(x * x);
      x *= 1 - (2 * 0.1) / s;
    }
    expect(seen.map((e) => e.step)).toEqual([1, 2, 3, 4]);
    seen.forEach((e, i) => expect(e.loss).toBeCloseTo(expected[i], 6));
    expect(v.dataSync()[0]).toBeCloseTo(x, 6);
    expect(tf.memory().numTensors).toBe(before);
    v.dispose();
    opt.dispose();
  });

  it('runs every step when the hook never stops it, awaiting an async hook before the next update', async () => {
    const v = tf.variable(tf.scalar(2));
    const opt = tf.train.sgd(0.25);
    const order: string[] = [];
    const done = await trainSteps(opt, () => tf.square(v).asScalar(), [v], {
      steps: 3,
      onStep: async ({ step }) => {
        await new Promise((r) => setTimeout(r, 1));
        order.push(`hook ${step} saw v = ${v.dataSync()[0]}`);
      },
    });
    expect(done).toBe(3);
    // v ← v(1 − 2·0.25) = v/2 per update
    expect(order).toEqual(['hook 1 saw v = 1', 'hook 2 saw v = 0.5', 'hook 3 saw v = 0.25']);
    v.dispose();
    opt.dispose();
  });
});

describe('experiments/shared: one runs merge', () => {
  it('replaces rows by key, keeps the others and sorts', () => {
    type R = { seed: number; config: string; v: number };
    const old: R[] = [
      { seed: 1, config: 'paper', v: 1 },
      { seed: 0, config: 'best', v: 2 },
    ];
    const merged = mergeRuns<R>(old, [{ seed: 1, config: 'paper', v: 9 }, { seed: 0, config: 'paper', v: 3 }], (r) => `${r.config}:${r.seed}`, (a, b) => a.seed - b.seed || a.config.localeCompare(b.config));
    expect(merged).toEqual([
      { seed: 0, config: 'best', v: 2 },
      { seed: 0, config: 'paper', v: 3 },
      { seed: 1, config: 'paper', v: 9 },
    ]);
    expect(old).toHaveLength(2); // the inputs are not changed
  });
});

describe('experiments/shared: Markdown', () => {
  it('writes tables and the shared number formats', () => {
    expect(mdTable(['a', 'b'], [[1, 'x']])).toEqual(['| a | b |', '|---|---|', '| 1 | x |']);
    expect(mdHeader(['a', 'b', 'c'])[1]).toBe('|---|---|---|');
    expect(mdRow(['', 'y'])).toBe('|  | y |');
    expect([fixed(1.2346), fixed(1.2346, 3), fixed(NaN)]).toEqual(['1.23', '1.235', '–']);
    expect([percent(0.256), percent(Infinity)]).toEqual(['26%', '–']);
    expect([precision(0.0012345), precision(NaN)]).toEqual(['0.0012', '–']);
    expect([times(141.2), times(1.26), times(NaN)]).toEqual(['141×', '1.3×', '–']);
  });
});
