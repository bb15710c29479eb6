import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTO_SCHEDULE, koopmanTraining } from '../plugins/koopman-training/index.js';
import { resolveKoopmanTrainingArgs } from '../plugins/koopman-training/options.js';
import { planSchedule } from '../plugins/koopman-training/schedule.js';
import type { WeightTensorInfo } from '../src/partition/types.js';
import type { KoopmanOperator } from '../src/koopman/operator.js';
import { dropWildOperators, type WindowFit } from '../src/koopman/window.js';
import { TrajectoryRecorder } from '../src/trajectory/recorder.js';
import { readWeights } from '../src/tfjs/weights.js';
import { regressionData, regressionModel } from './helpers.js';

// The auto schedule: `koopmanTraining({ guard })` with no window or horizon plans its windows,
// strides and horizons from the steps per epoch, says what it chose, and keeps within its budget.

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const N = 640;
const BATCH = 10; // 64 steps per epoch

const data = (seed = 5) => regressionData(tf, N, seed);
const model = (seed = 1): tf.Sequential => regressionModel(tf, seed);

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

  it('plans from the steps per epoch, on the plugin partition unless one is given', () => {
    const tensors = (sizes: [number, number][]): WeightTensorInfo[] => {
      let offset = 0;
      return sizes.map(([fanIn, units], i) => {
        const t: WeightTensorInfo = { name: `d${i}/kernel`, layer: `d${i}`, layerClass: 'Dense', role: 'kernel', shape: [fanIn, units], offset, size: fanIn * units };
        offset += fanIn * units;
        return t;
      });
    };
    const a = resolveKoopmanTrainingArgs({ guard: { lossFn: () => 1 } });
    expect(a.maxStepRatio).toBe(AUTO_SCHEDULE.maxStepRatio);
    const plan = planSchedule(a, tensors([[784, 20], [20, 10]]), 187);
    // period 187 steps: recordEvery ⌊187 / 32⌋ = 5, 32 intervals of 5 steps ending at 2 × 187
    expect(plan.record).toMatchObject({ auto: true, partition: 'node', groups: 30, recordEvery: 5, window: { start: 374 - 160, end: 374 }, every: 187, budget: 0.02 });
    expect(plan.record.candidates).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 1280]); // k·2^j ≤ 8 × 187
    expect(plan.capacity).toBe(33);
    const given = planSchedule(resolveKoopmanTrainingArgs({ guard: { lossFn: () => 1 }, partition: { default: 'layer' } }), tensors([[784, 20]]), 187);
    expect(given.record).toMatchObject({ partition: 'layer', groups: 1 });
    expect(() => koopmanTraining({ guard: { lossFn: () => 1 }, maxStepRatio: -1 })).toThrow('maxStepRatio must be a number > 0');
    expect(resolveKoopmanTrainingArgs({ window: { start: 0, end: 8 }, horizon: 4 }).maxStepRatio).toBeNull();
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
    expect(s).toMatchObject({ auto: true, partition: 'node', groups: 6, recordEvery: 2, window: { start: 64, end: 128 }, every: 64 });
    expect(s.candidates).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512]);
    expect(kt.report.notes[0]).toBe(s.text);
    expect(s.text).toMatch(/^auto schedule: 6 node operator\(s\) \(largest 5 weights\), window of 33 snapshots every 2 step\(s\) over \[64, 128\]/);
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

  it('with a budget too small for any decision it abandons the first after one group fit, then neither records nor decides, and trains exactly as without it', async () => {
    const { x, y } = data();
    const plain = model();
    await plain.fit(x, y, fitOpts([], 4));
    const m = model();
    // a flat guard loss: no candidate beats t2, so the one decision restores the exact weights
    const kt = koopmanTraining({ guard: { lossFn: () => 1 }, budget: 1e-12 });
    await m.fit(x, y, fitOpts([kt], 4));
    expect(kt.report.jumps.map((j) => [j.step, j.accepted])).toEqual([[128, false]]);
    const j = kt.report.jumps[0];
    expect(j.reason).toMatch(/^decision abandoned to stay within the budget: after 1 of 6 group fits/);
    expect(j.projectedMs).toBeGreaterThan(0);
    expect(kt.lastFit).toBeNull();
    expect(kt.report.budgetSkips).toBe(2);
    expect(kt.report.recordedSteps).toBe(33);
    expect(kt.report.notes.find((n) => n.startsWith('budget:'))).toMatch(/^budget: 2 window\(s\) neither recorded nor decided \(latest ending at step 256\)/);
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

describe('dropping operators whose first step is implausible', () => {
  it('largestStep is the largest change of any coordinate between consecutive held snapshots', () => {
    const groups = [{ id: 'g', layer: 'l', kind: 'node' as const, indices: Int32Array.of(0, 1) }];
    const rec = new TrajectoryRecorder({ groups, capacity: 3, dtype: 'float64' });
    const snaps = [[0, 0], [0.1, -0.3], [0.5, -0.2], [0.45, -0.2]]; // the ring keeps the last 3
    snaps.forEach((s, t) => rec.record(t, s));
    expect(rec.largestStep(0)).toBeCloseTo(0.4, 12); // 0.1 → 0.5; the dropped first snapshot's 0.3 does not count
  });

  it('drops exactly the operators that move a weight more than ratio × the largest step, with the reason', () => {
    const op = (move: number) => ({ predict: (x0: ArrayLike<number>) => Float64Array.from(x0, (v, i) => v + (i === 0 ? move : 0)) }) as unknown as KoopmanOperator;
    const fit = {
      operators: [op(0.05), op(0.2), op(Number.NaN), null],
      states: [Float64Array.of(1, 2), Float64Array.of(1, 2), Float64Array.of(1, 2), Float64Array.of(1, 2)],
      errors: new Map<number, string>([[3, 'no operator']]),
    } as unknown as WindowFit;
    expect(dropWildOperators(fit, () => 0.01, 10)).toBe(2);
    expect(fit.operators.map((o) => o !== null)).toEqual([true, false, false, false]);
    expect(fit.errors.get(1)).toBe('one operator step moves a weight by 0.200, more than 10 × the largest step in the window (0.0100): kept at its t2 weights');
    expect(fit.errors.get(2)).toMatch(/^one operator step moves a weight by NaN/);
    expect(fit.errors.get(3)).toBe('no operator');
  });
});
