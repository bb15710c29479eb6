import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTO_SCHEDULE, koopmanTraining } from '../plugins/koopman-training/index.js';
import { resolveKoopmanTrainingArgs } from '../plugins/koopman-training/options.js';
import { planSchedule } from '../plugins/koopman-training/schedule.js';
import type { WeightTensorInfo } from '../src/partition/types.js';
import { readWeights } from '../src/tfjs/weights.js';
import { rng } from './helpers.js';

// The auto schedule: `koopmanTraining({ guard })` with no window or horizon plans its windows,
// strides and horizons from the steps per epoch, says what it chose, and keeps within its budget.

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const N = 640;
const BATCH = 10; // 64 steps per epoch

function data(seed = 5) {
  const r = rng(seed);
  const X = Array.from({ length: N }, () => [r() - 0.5, r() - 0.5, r() - 0.5]);
  const Y = X.map((x) => [x[0] - x[1] + 0.3, x[2] * 2 - 0.1]);
  return { x: tf.tensor2d(X), y: tf.tensor2d(Y) };
}

function model(seed = 1): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [3], units: 4, activation: 'tanh', name: 'h', kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
  m.add(tf.layers.dense({ units: 2, name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  m.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
  return m;
}

const fitOpts = (callbacks: tf.Callback[], epochs: number) => ({ epochs, batchSize: BATCH, shuffle: false, verbose: 0 as const, callbacks });

describe('koopmanTraining auto schedule: options', () => {
  it('needs a guard, and window and horizon together', () => {
    expect(() => koopmanTraining({})).toThrow(/give guard: \{ validationData: \[x, y\] \}.*for the auto schedule/);
    expect(() => koopmanTraining({ window: { start: 0, end: 4 }, guard: { lossFn: () => 1 } })).toThrow('window and horizon go together: window was given without horizon');
    expect(() => koopmanTraining({ horizon: 4, guard: { lossFn: () => 1 } })).toThrow('window and horizon go together: horizon was given without window');
    expect(() => koopmanTraining({ guard: { lossFn: () => 1 }, every: 2 })).toThrow('every belongs to an explicit schedule');
    expect(() => koopmanTraining({ guard: { lossFn: () => 1 }, budget: 0 })).toThrow('budget must be a number > 0');
    expect(() => koopmanTraining({ guard: { lossFn: () => 1 }, budget: Number.NaN })).toThrow('budget must be a number > 0');
  });

  it('resolves to the auto schedule with budget 0.02 unless given; an explicit schedule has no budget', () => {
    const auto = resolveKoopmanTrainingArgs({ guard: { lossFn: () => 1 } });
    expect(auto.auto).toEqual({ partitionGiven: false });
    expect(auto.budget).toBe(AUTO_SCHEDULE.budget);
    expect(resolveKoopmanTrainingArgs({ guard: { lossFn: () => 1 }, budget: 0.1 }).budget).toBe(0.1);
    const fixed = resolveKoopmanTrainingArgs({ window: { start: 0, end: 8 }, horizon: 4 });
    expect(fixed.auto).toBeNull();
    expect(fixed.budget).toBeNull();
  });

  it('plans one network operator for a small model and one per layer when the whole vector is too large to fit', () => {
    const tensors = (sizes: number[]): WeightTensorInfo[] => {
      let offset = 0;
      return sizes.map((size, i) => {
        const t: WeightTensorInfo = { name: `d${i}/kernel`, layer: `d${i}`, layerClass: 'Dense', role: 'kernel', shape: [size, 1], offset, size };
        offset += size;
        return t;
      });
    };
    const a = resolveKoopmanTrainingArgs({ guard: { lossFn: () => 1 } });
    const small = planSchedule(a, tensors([784 * 20, 20 * 10]), 187);
    // period 187 steps: recordEvery ⌊187 / 32⌋ = 5, 32 intervals of 5 steps ending at 2 × 187
    expect(small.record).toMatchObject({ auto: true, partition: 'network', groups: 1, recordEvery: 5, window: { start: 374 - 160, end: 374 }, every: 187, budget: 0.02 });
    expect(small.record.candidates).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 1280]); // k·2^j ≤ 8 × 187
    expect(small.capacity).toBe(33);
    // 2 × 600 000 weights over 32 snapshots need 8·1.2e6·32 B ≈ 293 MiB > 256 MiB for the one fit
    const big = planSchedule(a, tensors([600_000, 600_000]), 187);
    expect(big.record).toMatchObject({ partition: 'layer', groups: 2 });
    // a partition the user gives is kept
    const given = planSchedule(resolveKoopmanTrainingArgs({ guard: { lossFn: () => 1 }, partition: { default: 'node' } }), tensors([784 * 20]), 187);
    expect(given.record.partition).toBe('node');
  });
});

describe('koopmanTraining auto schedule in fit()', () => {
  it('decides once per epoch from the end of the second, says what it chose, and leaks no tensor', async () => {
    const { x, y } = data();
    const m = model();
    const kt = koopmanTraining({ guard: { validationData: [x, y] }, budget: 1e6 });
    const before = tf.memory().numTensors;
    await m.fit(x, y, fitOpts([kt], 4));
    expect(tf.memory().numTensors).toBe(before);
    const s = kt.report.schedule!;
    // 64 steps per epoch: recordEvery 2, window [64, 128], then every 64 steps; horizons 2·2^j ≤ 512
    expect(s).toMatchObject({ auto: true, partition: 'network', groups: 1, recordEvery: 2, window: { start: 64, end: 128 }, every: 64 });
    expect(s.candidates).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512]);
    expect(kt.report.notes[0]).toBe(s.text);
    expect(s.text).toMatch(/^auto schedule: 1 network operator\(s\) \(largest 26 weights\), window of 33 snapshots every 2 step\(s\) over \[64, 128\]/);
    expect(kt.report.jumps.map((j) => j.step)).toEqual([128, 192, 256]);
    expect(kt.report.budgetSkips).toBe(0);
    for (const j of kt.report.jumps) {
      expect(j.snapshots).toBe(33);
      // shortest first, a prefix of the candidates; stopped only after 2 in a row did not beat the best
      const tried = j.candidates.map((c) => c.horizon);
      expect(tried).toEqual(s.candidates!.slice(0, tried.length));
      if (tried.length < s.candidates!.length) {
        const earlier = Math.min(...j.candidates.slice(0, -2).map((c) => c.loss));
        for (const c of j.candidates.slice(-2)) expect(c.loss).toBeGreaterThanOrEqual(earlier);
      }
    }
    expect(kt.report.spentMs).toBeGreaterThanOrEqual(kt.report.jumps.reduce((a, j) => a + j.fitMs + j.guardMs, 0));
    tf.dispose([x, y]);
  });

  it('stops trying longer horizons after 2 worse in a row and keeps the best one tried', async () => {
    const { x, y } = data();
    const m = model();
    // guard losses in call order: t2, then horizons 2, 4, 8, 16, (32 would be best but is never tried)
    const losses = [1.0, 0.9, 0.8, 0.85, 0.95, 0.1];
    let call = 0;
    const kt = koopmanTraining({ guard: { lossFn: () => losses[call++] }, maxJumps: 1, budget: 1e6 });
    await m.fit(x, y, fitOpts([kt], 2));
    const j = kt.report.jumps[0];
    expect(j.candidates.map((c) => [c.horizon, c.loss])).toEqual([[2, 0.9], [4, 0.8], [8, 0.85], [16, 0.95]]);
    expect(j.accepted).toBe(true);
    expect(j.horizon).toBe(4);
    expect(j.reason).toMatch(/^best of 4 candidate horizons \(5 longer ones not tried after 2 worse in a row\) lowered the guard loss by 20\.00%/);
    expect(call).toBe(5);
    tf.dispose([x, y]);
  });

  it('with a budget too small for any decision it skips them all and trains exactly as without it', async () => {
    const { x, y } = data();
    const plain = model();
    await plain.fit(x, y, fitOpts([], 4));
    const m = model();
    const kt = koopmanTraining({ guard: { validationData: [x, y] }, budget: 1e-12 });
    await m.fit(x, y, fitOpts([kt], 4));
    expect(kt.report.jumps).toEqual([]);
    expect(kt.report.budgetSkips).toBe(3);
    expect(kt.report.notes.find((n) => n.startsWith('budget:'))).toMatch(/^budget: 3 decision\(s\) skipped \(latest at step 256\)/);
    expect(Array.from(readWeights(m))).toEqual(Array.from(readWeights(plain)));
    tf.dispose([x, y]);
  });

  it('learns the epoch length in fitDataset without batchesPerEpoch', async () => {
    const { x, y } = data();
    const ds = tf.data.zip({ xs: tf.data.array(tf.unstack(x)), ys: tf.data.array(tf.unstack(y)) }).batch(BATCH);
    const m = model();
    const kt = koopmanTraining({ guard: { validationData: [x, y] }, budget: 1e6 });
    await m.fitDataset(ds, { epochs: 3, verbose: 0, callbacks: [kt] });
    expect(kt.report.schedule).toMatchObject({ recordEvery: 2, window: { start: 64, end: 128 }, every: 64 });
    expect(kt.report.jumps.map((j) => j.step)).toEqual([128, 192]);
    tf.dispose([x, y]);
  });
});

describe('koopmanTraining auto schedule in a custom loop', () => {
  it('uses a period of 100 steps when no steps per epoch are given, and says so', async () => {
    const { x, y } = data();
    const m = model();
    const kt = koopmanTraining({ guard: { validationData: [x, y] } });
    await kt.attach(m);
    expect(kt.report.schedule).toMatchObject({ recordEvery: 3, window: { start: 200 - 96, end: 200 }, every: 100 });
    expect(kt.report.schedule!.text).toMatch(/the steps per epoch are unknown: a period of 100 steps stands in for the epoch/);
    const spe = koopmanTraining({ guard: { validationData: [x, y] } });
    await spe.attach(model(), 64);
    expect(spe.report.schedule).toMatchObject({ recordEvery: 2, every: 64 });
    tf.dispose([x, y]);
  });
});
