import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { koopmanTraining, type KoopmanTrainingArgs } from '../plugins/koopman-training/index.js';
import { readWeights } from '../src/tfjs/weights.js';
import { regressionData, regressionModel } from './helpers.js';
import { fitRecorded } from '../src/koopman/batch.js';
import { FitPool, dealByCost } from '../src/koopman/pool.js';
import { gaussianRows } from '../src/linalg/index.js';
import { partitionWeights } from '../src/partition/partition.js';
import type { WeightTensorInfo } from '../src/partition/types.js';
import { TrajectoryRecorder } from '../src/trajectory/recorder.js';

// A fit pool must give the very operators the one-thread fit gives (same code, same kernels):
// every prediction equal bit for bit, errors by group, and the stop rule honoured across threads.

/** Dense 40→12→6 as the partitioner sees it: 12 nodes of 41 weights and 6 of 13 in the node partition. */
const TENSORS: WeightTensorInfo[] = [
  { name: 'd1/kernel', layer: 'd1', layerClass: 'Dense', role: 'kernel', shape: [40, 12], offset: 0, size: 480 },
  { name: 'd1/bias', layer: 'd1', layerClass: 'Dense', role: 'bias', shape: [12], offset: 480, size: 12 },
  { name: 'd2/kernel', layer: 'd2', layerClass: 'Dense', role: 'kernel', shape: [12, 6], offset: 492, size: 72 },
  { name: 'd2/bias', layer: 'd2', layerClass: 'Dense', role: 'bias', shape: [6], offset: 564, size: 6 },
];
const TOTAL = 570;

/** w(t) = w₀ + drift·t + two damped modes + noise, recorded for `n` steps (float32 storage, as in training). */
function recorder(n: number, capacity = n): TrajectoryRecorder {
  const groups = partitionWeights(TENSORS, { default: 'node' }).groups;
  const rec = new TrajectoryRecorder({ groups, capacity });
  const g = gaussianRows(4, TOTAL, 11);
  const noise = gaussianRows(n, TOTAL, 12);
  for (let t = 0; t < n; t++) {
    const w = new Float64Array(TOTAL);
    for (let i = 0; i < TOTAL; i++) w[i] = g[i] + 1e-3 * g[TOTAL + i] * t + 0.1 * g[2 * TOTAL + i] * 0.97 ** t + 0.05 * g[3 * TOTAL + i] * 0.9 ** t * Math.cos(0.2 * t) + 1e-5 * noise[t * TOTAL + i];
    rec.record(t, w);
  }
  return rec;
}

let pool: FitPool;
beforeAll(async () => {
  pool = await FitPool.start(2);
}, 60_000);
afterAll(async () => {
  await pool.close();
});

describe('FitPool', () => {
  it('fits every group on three threads with bit-identical operators to the one-thread fit (rank rule and errors too)', async () => {
    const rec = recorder(60);
    const options = { rank: 0, affine: true, stabilize: true };
    const serial = fitRecorded(rec, options);
    const parallel = await pool.fitRecorded(rec, options);
    expect(parallel.operators).toHaveLength(18);
    expect(parallel.stopped).toBe(0);
    expect([...parallel.errors]).toEqual([...serial.errors]);
    expect(parallel.ranks).toEqual(serial.ranks);
    parallel.operators.forEach((op, g) => {
      const ref = serial.operators[g]!;
      expect(op).not.toBeNull();
      expect(op!.rank).toBe(ref.rank);
      expect(Array.from(op!.singularValues)).toEqual(Array.from(ref.singularValues));
      const x0 = rec.latest(g);
      expect(Array.from(op!.predict(x0, 250))).toEqual(Array.from(ref.predict(x0, 250)));
    });
  });

  it('fits the newest `last` snapshots of a wrapped ring as the one-thread fit does', async () => {
    const rec = recorder(90, 50); // the ring has wrapped: 50 held of 90 recorded
    const serial = fitRecorded(rec, { rank: 4, affine: true }, false, 30);
    const parallel = await pool.fitRecorded(rec, { rank: 4, affine: true }, false, 30);
    parallel.operators.forEach((op, g) => expect(Array.from(op!.predict(rec.latest(g), 7))).toEqual(Array.from(serial.operators[g]!.predict(rec.latest(g), 7))));
  });

  it('reports a group that cannot be fitted by its message, and throws it with strict', async () => {
    const rec = recorder(20); // rank 30 needs 31 snapshots: every group fails
    const serial = fitRecorded(rec, { rank: 30 });
    const parallel = await pool.fitRecorded(rec, { rank: 30 });
    expect(parallel.operators.every((x) => x === null)).toBe(true);
    expect([...parallel.errors].sort((a, b) => a[0] - b[0])).toEqual([...serial.errors]);
    expect(parallel.errors.get(0)).toBe("group d1/node0: rank 30 needs at least 31 snapshots for dimension 41; got 20");
    await expect(pool.fitRecorded(rec, { rank: 30 }, true)).rejects.toThrow(/rank 30 needs at least 31 snapshots/);
  });

  it('a stop rule that fires after the first groups leaves the rest unfitted with its reason, on every thread', async () => {
    const rec = recorder(60);
    const fit = await pool.fitRecorded(rec, { affine: true }, false, undefined, { test: (done) => done >= 1, reason: 'out of time' });
    const fitted = fit.operators.filter((x) => x !== null).length;
    expect(fitted).toBeGreaterThanOrEqual(1);
    expect(fitted).toBeLessThan(18);
    expect(fit.stopped).toBe(18 - fitted);
    fit.operators.forEach((op, g) => {
      if (op === null) expect(fit.errors.get(g)).toBe('out of time');
    });
  });

  it('deals groups by fit cost d·m·min(d, m), largest first to the least-loaded thread', () => {
    // costs at m = 10: 100·10·10 = 10 000, 50·10·10 = 5 000 (×2), 5·10·5 = 250 (×2)
    expect(dealByCost([5, 100, 50, 50, 5], 10, 2)).toEqual([[0, 1], [2, 3, 4]]); // 10 250 and 10 250
    expect(dealByCost([7], 10, 3)).toEqual([[0], [], []]);
  });

  it('refuses a bad thread count and a closed pool by name', async () => {
    await expect(FitPool.start(0)).rejects.toThrow(/threads must be an integer ≥ 1; got 0/);
    const p = await FitPool.start(1);
    await p.close();
    await expect(p.fitRecorded(recorder(20))).rejects.toThrow(/the pool is closed/);
  });
});

describe('koopmanTraining with threads', () => {
  it('threads: 1 makes the same decisions and ends on the same weights as the one-thread plugin, and leaks no tensor', async () => {
    await tf.setBackend('cpu');
    const { x, y } = regressionData(tf, 32);
    const args: KoopmanTrainingArgs = { window: { start: 2, end: 5, unit: 'epoch' }, horizon: 2, every: 2, guard: { validationData: [x, y], candidates: [1, 2, 4] } };
    const run = async (threads: number) => {
      const m = regressionModel(tf);
      const kt = koopmanTraining({ ...args, threads });
      await m.fit(x, y, { epochs: 10, batchSize: 8, shuffle: false, verbose: 0, callbacks: [kt] });
      const w = Array.from(readWeights(m));
      m.dispose();
      return { kt, w };
    };
    await run(1); // tfjs keeps a few tensors from a first fit (the optimizer's learning rate, …)
    const before = tf.memory().numTensors;
    const one = await run(0);
    const after = tf.memory().numTensors;
    const two = await run(1);
    expect(tf.memory().numTensors - after).toBe(after - before);
    expect(one.kt.report.jumps.length).toBeGreaterThan(1);
    expect(two.kt.report.jumps.map((j) => [j.step, j.horizon, j.accepted, j.lossAfter])).toEqual(one.kt.report.jumps.map((j) => [j.step, j.horizon, j.accepted, j.lossAfter]));
    expect(two.w).toEqual(one.w);
    x.dispose();
    y.dispose();
  }, 60_000);

  it('refuses threads that are not an integer ≥ 0 by name', () => {
    expect(() => koopmanTraining({ threads: 1.5, guard: { lossFn: () => 1 } })).toThrow(/threads must be an integer ≥ 0 .*got 1\.5/);
  });
});
