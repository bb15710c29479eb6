import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { koopmanTraining, KoopmanTraining } from '../plugins/koopman-training/index.js';
import { fitKoopman } from '../src/koopman/index.js';
import { equivalentSteps, median } from '../src/metrics/index.js';
import { partitionWeights } from '../src/partition/index.js';
import { describeModel, readWeights, writeWeights } from '../src/tfjs/index.js';
import { relErr, rng } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Least squares with 4 features of very different scales, 2 outputs: full-batch GD is affine in w. */
function regression() {
  const r = rng(11);
  const N = 64;
  const scales = [1, 0.7, 0.5, 0.35];
  const X = Array.from({ length: N }, () => scales.map((s) => s * (2 * r() - 1)));
  const Y = X.map((x) => [x[0] - 2 * x[1] + 0.5 * x[2] + 3 * x[3] + 0.1, -x[0] + x[2] + 2 * x[3] - 0.3]);
  return { x: tf.tensor2d(X), y: tf.tensor2d(Y), N };
}

function linearModel(seed: number): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [4], units: 2, name: 'lin', kernelInitializer: tf.initializers.randomNormal({ seed }) }));
  m.compile({ optimizer: tf.train.sgd(0.2), loss: 'meanSquaredError' });
  return m;
}

async function trainPlain(m: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, N: number, steps: number, losses?: number[]) {
  await m.fit(x, y, {
    epochs: steps,
    batchSize: N,
    shuffle: false,
    verbose: 0,
    callbacks: losses ? { onEpochEnd: async (_e, logs) => void losses.push(logs!.loss as number) } : undefined,
  });
}

describe('koopmanTraining on exactly affine dynamics (full-batch GD on least squares)', () => {
  // slowest GD mode ≈ 0.984 per step: a 60-step window identifies it, and after 100 more steps
  // the loss (whose minimum is 0) is still falling geometrically, so T_eq is well resolved
  const t1 = 10;
  const t2 = 70;
  const T = 100;
  for (const partition of [{ default: 'node' as const }, { default: 'layer' as const }, { default: 'network' as const }]) {
    it(`${partition.default} operators land within 1e-4 of ${T} more GD steps, and T_eq/T ≈ 1`, async () => {
      const { x, y, N } = regression();
      const m = linearModel(3);
      const kt = koopmanTraining({ partition, window: { start: t1, end: t2 }, horizon: T, rank: -1, affine: true });
      expect(kt).toBeInstanceOf(tf.Callback);
      await trainPlain(m, x, y, N, 0);
      await m.fit(x, y, { epochs: t2, batchSize: N, shuffle: false, verbose: 0, callbacks: [kt] });
      const jump = kt.report.jumps[0];
      expect(jump.accepted).toBe(true);
      expect(jump.horizon).toBe(T);
      expect(jump.reason).toMatch(/no guard/);
      expect(kt.report.skippedSteps).toBe(T);
      expect(kt.report.effectiveSteps).toBe(t2 + T);
      const wKO = readWeights(m);
      const lossKO = (m.evaluate(x, y) as tf.Scalar).dataSync()[0];

      const ref = linearModel(3);
      await trainPlain(ref, x, y, N, t2);
      const losses: number[] = [(ref.evaluate(x, y) as tf.Scalar).dataSync()[0]];
      await trainPlain(ref, x, y, N, T + 100, losses);
      // losses[i] is the loss before step i+1 of the continuation: rebuild ℓ_i = loss after i steps
      const ell = [losses[0], ...losses.slice(2), (ref.evaluate(x, y) as tf.Scalar).dataSync()[0]];
      const wRef = linearModel(3);
      await trainPlain(wRef, x, y, N, t2 + T);
      expect(relErr(wKO, readWeights(wRef))).toBeLessThan(1e-4);
      const { teq } = equivalentSteps(ell, lossKO);
      expect(teq / T).toBeGreaterThan(0.97);
      expect(teq / T).toBeLessThan(1.03);
    });
  }
});

describe('recordEvery', () => {
  it('fits k-step operators on every k-th snapshot counted back from t2, and lands as exactly', async () => {
    const { x, y, N } = regression();
    const m = linearModel(3);
    const kt = koopmanTraining({ window: { start: 5, end: 71 }, horizon: 99, recordEvery: 3, rank: -1 });
    await m.fit(x, y, { epochs: 71, batchSize: N, shuffle: false, verbose: 0, callbacks: [kt] });
    // snapshots at 71, 68, …, 5: 23 of them
    expect(kt.report.jumps[0].snapshots).toBe(23);
    expect(kt.report.recordedSteps).toBe(23);
    const ref = linearModel(3);
    await trainPlain(ref, x, y, N, 170);
    expect(relErr(readWeights(m), readWeights(ref))).toBeLessThan(1e-4);
    const badH = koopmanTraining({ window: { start: 5, end: 71 }, horizon: 100, recordEvery: 3 });
    await expect(badH.attach(m)).rejects.toThrow('horizon (100 steps) must be a multiple of recordEvery (3): the operators are 3-step maps');
    const badC = koopmanTraining({ window: { start: 5, end: 71 }, horizon: 99, recordEvery: 3, guard: { lossFn: () => 0, candidates: [2] } });
    await expect(badC.attach(m)).rejects.toThrow('guard.candidates: 2 is not a multiple of recordEvery (3)');
  });
});

describe('guarded jumps', () => {
  it('searches candidate horizons and takes the best one when it lowers the guard loss', async () => {
    const { x, y, N } = regression();
    const m = linearModel(5);
    const jumps: number[] = [];
    const kt = koopmanTraining({
      window: { start: 5, end: 65 },
      horizon: 300,
      rank: -1,
      guard: { validationData: [x, y] },
      onJump: (j) => void jumps.push(j.horizon),
    });
    await m.fit(x, y, { epochs: 65, batchSize: N, shuffle: false, verbose: 0, callbacks: [kt] });
    const j = kt.report.jumps[0];
    expect(j.candidates.map((c) => c.horizon)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300]);
    expect(j.accepted).toBe(true);
    const best = j.candidates.reduce((a, c) => (c.loss < a.loss ? c : a));
    expect(j.horizon).toBe(best.horizon);
    // on a convex quadratic the loss falls along the extrapolation: the search goes far
    expect(j.horizon).toBeGreaterThanOrEqual(128);
    expect(j.candidates[0].loss).toBeLessThan(j.lossBefore);
    expect(j.lossAfter).toBeLessThan(j.candidates[0].loss);
    expect(jumps).toEqual([j.horizon]);
    const lossNow = (m.evaluate(x, y) as tf.Scalar).dataSync()[0];
    expect(lossNow).toBeCloseTo(j.lossAfter, 5);
  });

  it('rejects a harmful jump and restores the exact t2 weights', async () => {
    // Noisy mini-batch SGD with momentum on a small sigmoid net: a 6-snapshot window cannot
    // describe the dynamics, and a 5000-step horizon through an unstabilised full-rank fit hurts.
    const r = rng(4);
    const X = tf.tensor2d(Array.from({ length: 40 }, () => [r() * 2 - 1, r() * 2 - 1]));
    const Y = tf.tensor2d(Array.from({ length: 40 }, () => [r()]));
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [2], units: 3, activation: 'sigmoid', name: 'h', kernelInitializer: tf.initializers.randomNormal({ seed: 1 }) }));
    m.add(tf.layers.dense({ units: 1, name: 'o', kernelInitializer: tf.initializers.randomNormal({ seed: 2 }) }));
    m.compile({ optimizer: tf.train.momentum(0.5, 0.95), loss: 'meanSquaredError' });
    const kt = koopmanTraining({
      window: { start: 0, end: 10 },
      horizon: 5000,
      rank: -1,
      affine: false,
      stabilize: false,
      guard: { validationData: [X, Y], candidates: [5000] },
    });
    // capture the t2 weights by training a twin with the same seeds and batches
    const twin = tf.sequential();
    twin.add(tf.layers.dense({ inputShape: [2], units: 3, activation: 'sigmoid', name: 'h', kernelInitializer: tf.initializers.randomNormal({ seed: 1 }) }));
    twin.add(tf.layers.dense({ units: 1, name: 'o', kernelInitializer: tf.initializers.randomNormal({ seed: 2 }) }));
    twin.compile({ optimizer: tf.train.momentum(0.5, 0.95), loss: 'meanSquaredError' });
    await twin.fit(X, Y, { epochs: 5, batchSize: 20, shuffle: false, verbose: 0 });
    const atT2 = readWeights(twin);
    await m.fit(X, Y, { epochs: 5, batchSize: 20, shuffle: false, verbose: 0, callbacks: [kt] });
    const j = kt.report.jumps[0];
    expect(j.step).toBe(10);
    expect(j.accepted).toBe(false);
    expect(j.horizon).toBe(0);
    expect(j.reason).toMatch(/exact t2 weights restored/);
    expect(j.candidates[0].loss).toBeGreaterThan(j.lossBefore);
    const after = readWeights(m);
    expect(Buffer.from(after.buffer).equals(Buffer.from(atT2.buffer))).toBe(true);
    expect(kt.report.skippedSteps).toBe(0);
  });
});

describe('guard.agreement (whole-window vs newer-half fits)', () => {
  it('passes every horizon when the tolerance is loose (then it is the plain guard) and cuts the far ones when tight', async () => {
    const { x, y, N } = regression();
    const args = { window: { start: 5, end: 65 }, horizon: 300, rank: -1 as const, guard: { validationData: [x, y] as [tf.Tensor, tf.Tensor] } };
    const run = async (agreement?: number) => {
      const m = linearModel(5);
      const kt = koopmanTraining({ ...args, guard: { ...args.guard, ...(agreement ? { agreement } : {}) } });
      await m.fit(x, y, { epochs: 65, batchSize: N, shuffle: false, verbose: 0, callbacks: [kt] });
      return kt.report.jumps[0];
    };
    const [plain, loose, tight] = [await run(), await run(0.5), await run(1e-3)];
    expect(plain.candidates.every((c) => c.disagreement === undefined)).toBe(true);
    // GD on least squares is affine, yet the newer half sees smaller float32 increments: the fits part slowly with h
    const d = loose.candidates.map((c) => c.disagreement!);
    expect(d[0]).toBeLessThan(1e-4);
    for (let i = 1; i < d.length; i++) expect(d[i]).toBeGreaterThan(d[i - 1]);
    expect(loose.candidates.every((c) => Number.isFinite(c.loss))).toBe(true);
    expect(loose.horizon).toBe(plain.horizon);
    expect(loose.lossAfter).toBe(plain.lossAfter);
    expect(loose.reason).toMatch(/best of 10 candidate horizons \(10 within agreement 0.5\)/);
    // tight: the horizons whose disagreement exceeds 1e-3 are not evaluated, the jump is the best of the rest
    const kept = tight.candidates.filter((c) => c.disagreement! <= 1e-3);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(10);
    for (const c of tight.candidates) expect(Number.isNaN(c.loss)).toBe(c.disagreement! > 1e-3);
    expect(tight.accepted).toBe(true);
    expect(tight.horizon).toBe(kept.reduce((a, c) => (c.loss < a.loss ? c : a)).horizon);
    expect(tight.horizon).toBeLessThan(plain.horizon);
  });

  it('measures the disagreement as independent fits of the whole window and its newer half do, and skips the horizons above it', async () => {
    const { x, y } = regression();
    const m = linearModel(2);
    const opt = tf.train.sgd(0.2);
    const lossOf = () => tf.tidy(() => tf.losses.meanSquaredError(y, m.predict(x) as tf.Tensor).dataSync()[0]);
    const candidates = [5, 20, 80, 320];
    const tau = 0.01;
    const fitOpts = { rank: -1 as const, affine: true, stabilize: false };
    const kt = koopmanTraining({ partition: { default: 'layer' }, window: { start: 0, end: 40 }, horizon: 320, ...fitOpts, guard: { lossFn: () => lossOf(), candidates, agreement: tau } });
    await kt.attach(m);
    const snaps: Float32Array[] = [readWeights(m)]; // weights after s steps, s = 0…40
    for (let s = 0; s < 40; s++) {
      const l = opt.minimize(() => tf.losses.meanSquaredError(y, m.predict(x) as tf.Tensor) as tf.Scalar, true)!;
      l.dispose();
      snaps.push(readWeights(m));
      await kt.afterStep({});
    }
    const j = kt.report.jumps[0];
    expect(j.step).toBe(40);
    expect(j.candidates.map((c) => c.horizon)).toEqual(candidates);
    // independent: fit each layer group on snapshots 0…40 and on 20…40, predict both, compare
    const groups = partitionWeights(describeModel(m), { default: 'layer' }).groups;
    const x0 = snaps[40];
    const ops = groups.map((g) => {
      const pick = (w: Float32Array) => Array.from(g.indices, (i) => w[i]);
      return [fitKoopman(snaps.map(pick), fitOpts), fitKoopman(snaps.slice(20).map(pick), fitOpts), pick(x0)] as const;
    });
    let skipped = 0;
    for (const c of j.candidates) {
      const err: number[] = [];
      const grow: number[] = [];
      for (const [full, half, start] of ops) {
        const a = full.predict(start, c.horizon);
        const b = half.predict(start, c.horizon);
        a.forEach((v, i) => {
          err.push(Math.abs(v - b[i]));
          grow.push(Math.abs(v - start[i]));
        });
      }
      const expected = median(err) / median(grow);
      expect(Math.abs(c.disagreement! - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, expected));
      if (expected > tau) {
        skipped++;
        expect(Number.isNaN(c.loss)).toBe(true); // not evaluated
      } else expect(Number.isNaN(c.loss)).toBe(false);
    }
    // the fits part with the horizon: the longest disagree, the shortest agree
    expect(skipped).toBeGreaterThan(0);
    expect(j.candidates[0].disagreement!).toBeLessThan(tau);
    if (j.accepted) expect(j.candidates.find((c) => c.horizon === j.horizon)!.disagreement!).toBeLessThanOrEqual(tau);
    opt.dispose();
  });

  it('refuses a non-positive tolerance and a newer half too short for the rank rule', async () => {
    const ok = { window: { start: 10, end: 40 }, horizon: 100 };
    expect(() => koopmanTraining({ ...ok, guard: { lossFn: () => 0, agreement: 0 } })).toThrow(
      'guard.agreement must be a number > 0 (largest disagreement of the two fits, as a share of the jump); got 0',
    );
    const { x, y, N } = regression();
    const m = linearModel(1);
    // layer group of dimension 10: full rank with affine needs 12 snapshots; the window has 21, its newer half 11
    const kt = koopmanTraining({ window: { start: 0, end: 20 }, horizon: 10, rank: -1, partition: { default: 'layer' }, guard: { validationData: [x, y], agreement: 0.1 } });
    await expect(m.fit(x, y, { epochs: 2, batchSize: N, verbose: 0, callbacks: [kt] })).rejects.toThrow(
      /guard.agreement fits the newer half of the window \(11 of 21 snapshots\); group lin\/layer \(dimension 10\) needs at least 12/,
    );
  });
});

describe('fit() integration, custom loops and reports', () => {
  it('works with validationData and epochs, repeated jumps, and does not leak tensors', async () => {
    const { x, y, N } = regression();
    const m = linearModel(7);
    const kt = koopmanTraining({
      window: { start: 2, end: 12 },
      horizon: 16,
      every: 12,
      maxJumps: 20,
      rank: -1,
      guard: { validationData: [x, y] },
      optimizerState: 'reset',
    });
    // warm up fit once so its own one-off tensors are counted
    await m.fit(x, y, { epochs: 1, batchSize: N / 2, verbose: 0, validationData: [x, y] });
    const before = tf.memory().numTensors;
    const h = await m.fit(x, y, { epochs: 130, batchSize: N / 2, verbose: 0, validationData: [x, y], callbacks: [kt] });
    expect(h.history.val_loss).toHaveLength(130);
    expect(kt.report.jumps.length).toBe(20);
    expect(tf.memory().numTensors).toBe(before);
    expect(kt.report.optimizerSteps).toBe(260);
    const accepted = kt.report.jumps.filter((j) => j.accepted);
    expect(kt.report.skippedSteps).toBe(accepted.reduce((a, j) => a + j.horizon, 0));
    for (const j of kt.report.jumps) {
      expect(j.recordMs).toBeGreaterThanOrEqual(0);
      expect(j.fitMs).toBeGreaterThan(0);
      expect(j.ranks.max).toBeGreaterThanOrEqual(j.ranks.min);
    }
  });

  it("resets the custom loop's own optimizer after an accepted jump (optimizer), and asks for it when the model has none", async () => {
    const { x, y } = regression();
    const m = tf.sequential(); // not compiled: the loop steps its own Adam
    m.add(tf.layers.dense({ inputShape: [4], units: 2, name: 'lin', kernelInitializer: tf.initializers.randomNormal({ seed: 9 }) }));
    const opt = tf.train.adam(0.05);
    const mse = () => tf.losses.meanSquaredError(y, m.predict(x) as tf.Tensor) as tf.Scalar;
    const args = { window: { start: 5, end: 25 }, horizon: 64, rank: -1, guard: { lossFn: () => tf.tidy(() => mse().dataSync()[0]) }, optimizerState: 'reset' as const };
    await expect(koopmanTraining(args).attach(m)).rejects.toThrow("optimizerState 'reset' needs the optimizer the loop steps: pass it as koopmanTraining({ optimizer, … })");
    expect(() => koopmanTraining({ ...args, optimizer: {} as tf.Optimizer })).toThrow('optimizer must be a tf.Optimizer');
    const kt = koopmanTraining({ ...args, optimizer: opt });
    await kt.attach(m);
    const moments = async () => {
      const w = await opt.getWeights();
      const sums = w.slice(1).map((e) => tf.tidy(() => tf.sum(tf.abs(e.tensor)).dataSync()[0]));
      w[0].tensor.dispose(); // the iteration count comes as a fresh scalar
      return sums;
    };
    for (let s = 0; s < 25; s++) {
      opt.minimize(mse, true)!.dispose();
      if (s === 23) expect(Math.min(...(await moments()))).toBeGreaterThan(0);
      await kt.afterStep();
    }
    expect(kt.report.jumps[0].accepted).toBe(true);
    expect(await moments()).toEqual([0, 0, 0, 0]); // first and second moments of kernel and bias
    tf.dispose([x, y]);
    m.dispose();
    opt.dispose();
  });

  it('drives a custom loop through attach/afterStep with a lossFn guard', async () => {
    const { x, y } = regression();
    const m = linearModel(9);
    const opt = tf.train.sgd(0.2);
    const lossOf = () => tf.tidy(() => tf.losses.meanSquaredError(y, m.predict(x) as tf.Tensor).dataSync()[0]);
    const kt = koopmanTraining({
      window: { start: 5, end: 25 },
      horizon: 100,
      rank: -1,
      guard: { lossFn: () => lossOf() },
    });
    await kt.attach(m);
    for (let s = 0; s < 25; s++) {
      const l = opt.minimize(() => tf.losses.meanSquaredError(y, m.predict(x) as tf.Tensor) as tf.Scalar, true);
      const v = l!.dataSync()[0];
      l!.dispose();
      await kt.afterStep({ loss: v });
    }
    const j = kt.report.jumps[0];
    expect(j.accepted).toBe(true);
    expect(lossOf()).toBeCloseTo(j.lossAfter, 6);
    expect(kt.effectiveStep).toBe(25 + j.horizon);
  });

  it('a layer the partitions do not know is skipped and reported; training still works', async () => {
    const { x, y, N } = regression();
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [4], units: 3, name: 'a' }));
    m.add(tf.layers.batchNormalization({ name: 'bn' }));
    m.add(tf.layers.dense({ units: 2, name: 'b' }));
    m.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
    const kt = koopmanTraining({ window: { start: 2, end: 20 }, horizon: 10 });
    const h = await m.fit(x, y, { epochs: 25, batchSize: N, verbose: 0, callbacks: [kt] });
    expect(h.history.loss).toHaveLength(25);
    expect(kt.report.notes.join('\n')).toMatch(/layer bn \(BatchNormalization\): not a Dense or Conv2D layer, skipped/);
    expect(kt.report.notes.join('\n')).toMatch(/weights are in no group and are never changed/);
    expect(kt.report.jumps).toHaveLength(1);
  });

  it('non-finite loss during recording stops recording, never fits, and training goes on', async () => {
    const { x, y } = regression();
    const m = linearModel(1);
    const opt = tf.train.sgd(0.1);
    const kt = koopmanTraining({ window: { start: 0, end: 10 }, horizon: 5 });
    await kt.attach(m);
    for (let s = 0; s < 12; s++) {
      opt.minimize(() => tf.losses.meanSquaredError(y, m.predict(x) as tf.Tensor) as tf.Scalar);
      await kt.afterStep({ loss: s === 4 ? NaN : 1 });
    }
    expect(kt.report.jumps).toHaveLength(0);
    expect(kt.report.notes.join('\n')).toMatch(/recording stopped at step 5: non-finite loss \(NaN\)/);
    expect(kt.report.notes.join('\n')).toMatch(/no jump at step 10/);
    expect(kt.report.optimizerSteps).toBe(12);
  });

  it('non-finite weights are refused by the recorder and reported', async () => {
    const m = linearModel(2);
    const kt = koopmanTraining({ window: { start: 0, end: 5 }, horizon: 5 });
    await kt.attach(m);
    const w = readWeights(m);
    w[3] = Infinity;
    writeWeights(m, w);
    await kt.afterStep();
    expect(kt.report.notes.join('\n')).toMatch(/non-finite weight \(Infinity\) in layer lin \(group lin\/node\d\, coordinate \d\) at step 1/);
  });
});

describe('bad options fail at construction', () => {
  const ok = { window: { start: 10, end: 40 }, horizon: 100 };
  it('names the option and accepted values', () => {
    expect(() => koopmanTraining({ ...ok, window: { start: 40, end: 10 } })).toThrow('window.end (10) must be greater than window.start (40)');
    expect(() => koopmanTraining({ ...ok, window: { start: 10, end: 10 } })).toThrow(/window.end \(10\) must be greater/);
    expect(() => koopmanTraining({ ...ok, horizon: 0 })).toThrow('horizon must be an integer > 0 (steps to jump ahead); got 0');
    expect(() => koopmanTraining({ ...ok, horizon: -5 })).toThrow(/horizon must be an integer > 0/);
    expect(() => koopmanTraining({ ...ok, guard: {} })).toThrow(/guard needs validationData: \[x, y\] or a lossFn/);
    expect(() => koopmanTraining({ ...ok, window: { start: 0, end: 3 }, rank: 5 })).toThrow(
      'window [0, 3] holds 4 snapshots (recordEvery 1); rank 5 with affine needs at least 7',
    );
    expect(() => koopmanTraining({ ...ok, window: { start: 0, end: 3, unit: 'day' as never } })).toThrow(/window.unit must be 'step' or 'epoch'/);
    expect(() => koopmanTraining({ ...ok, optimizerState: 'zero' as never })).toThrow(/optimizerState must be 'keep' or 'reset'/);
    // issue 14: an unknown partition kind is a construction-time error (it was found only at attach)
    expect(() => koopmanTraining({ ...ok, partition: { default: 'neuron' as never } })).toThrow(/partition.default: unknown partition kind 'neuron'/);
  });

  it('checks what needs the model before training starts', async () => {
    const { x, y, N } = regression();
    const m = linearModel(1);
    const kt = koopmanTraining({ window: { start: 0, end: 4 }, horizon: 10, rank: -1, partition: { default: 'network' } });
    await expect(m.fit(x, y, { epochs: 2, batchSize: N, verbose: 0, callbacks: [kt] })).rejects.toThrow(
      /window \[0, 4\] holds 5 snapshots; group network \(dimension 10\) needs at least 12 under rank -1 with affine/,
    );
    const bad = koopmanTraining({ window: { start: 0, end: 4 }, horizon: 10, partition: { layers: { nosuch: 'node' } } });
    await expect(bad.attach(m)).rejects.toThrow(/partition.layers names 'nosuch', which is not a layer with trainable weights/);
    expect(new KoopmanTraining({ window: { start: 0, end: 4, unit: 'epoch' }, horizon: 2 })).toBeInstanceOf(KoopmanTraining);
    await expect(new KoopmanTraining({ window: { start: 0, end: 4, unit: 'epoch' }, horizon: 2 }).attach(m)).rejects.toThrow(
      /window.unit 'epoch' needs stepsPerEpoch/,
    );
  });
});
