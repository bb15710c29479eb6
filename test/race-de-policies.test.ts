import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { afterJumpMoments, explicitSchedule, horizonGrid, resetControlMethod } from '../experiments/race/de-policies.js';
import { makeMethod } from '../experiments/race/entrants.js';
import { runMethod } from '../experiments/race/run.js';
import { deWorkload, type Workload } from '../experiments/race/workloads.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Adam on f(x) = ½‖x‖² from x0, `steps` steps; returns the optimizer, the variable and its state variables. */
function adamAfter(steps: number, b1 = 0.9, b2 = 0.99) {
  const x = tf.variable(tf.tensor1d([1, -2]));
  const opt = tf.train.adam(0.1, b1, b2, 1e-8);
  for (let i = 0; i < steps; i++) opt.minimize(() => tf.mul(0.5, tf.sum(tf.square(x))) as tf.Scalar, true, [x])?.dispose();
  const o = opt as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
  return { opt, x, powers: () => [o.accBeta1.dataSync()[0], o.accBeta2.dataSync()[0]] };
}

describe('DE policies', () => {
  it('builds horizon grids of multiples of the stride', () => {
    expect(horizonGrid(3, 1200)).toEqual([3, 6, 12, 24, 48, 96, 192, 384, 768]);
    const fine = horizonGrid(4, 64, Math.SQRT2);
    expect(fine).toEqual([4, 8, 12, 16, 24, 32, 44, 64]);
    for (const h of fine) expect(h % 4).toBe(0);
  });
  it('plans an explicit schedule in steps from the period', () => {
    const w = { stepsPerEpoch: 300 } as Workload;
    // auto-like: 33 snapshots 9 steps apart ending at 2P = 600, a decision every P
    expect(explicitSchedule(w)).toMatchObject({ window: { start: 312, end: 600 }, recordEvery: 9, every: 300, horizon: 2304 });
    // a decision every P/4 = 75 steps from 24 snapshot steps of 3: window 72 steps
    const s = explicitSchedule(w, { every: 1 / 4, k: 3, snapshots: 24, cap: 4, partition: { default: 'network' } });
    expect(s).toMatchObject({ window: { start: 528, end: 600 }, recordEvery: 3, every: 75, horizon: 768, partition: { default: 'network' } });
  });
  it("'advance' moves Adam's bias-correction powers on by h steps and keeps the moments", async () => {
    const a = adamAfter(3);
    const before = (await a.opt.getWeights()).slice(1).map((w) => Array.from(w.tensor.dataSync()));
    await afterJumpMoments(a.opt, 'advance', 5);
    // tfjs holds β^(t+1) after t steps; advanced by 5: β^(t+1+5)
    const [p1, p2] = a.powers();
    expect(p1).toBeCloseTo(0.9 ** 9, 6);
    expect(p2).toBeCloseTo(0.99 ** 9, 6);
    const after = (await a.opt.getWeights()).slice(1).map((w) => Array.from(w.tensor.dataSync()));
    expect(after).toEqual(before);
    a.opt.dispose();
    a.x.dispose();
  });
  it("'reset' zeroes the moments and restarts the powers; 'advance' refuses an optimizer without them", async () => {
    const a = adamAfter(4);
    await afterJumpMoments(a.opt, 'reset', 7);
    for (const w of (await a.opt.getWeights()).slice(1)) expect(Array.from(w.tensor.dataSync())).toEqual([0, 0]);
    expect(a.powers()[0]).toBeCloseTo(0.9, 6);
    const sgd = tf.train.sgd(0.1);
    await expect(afterJumpMoments(sgd, 'advance', 3)).rejects.toThrow(/moments 'advance' needs Adam's bias-correction powers .* SGD has none/);
    a.opt.dispose();
    a.x.dispose();
  });
  it('runs the DE policy and the reset control through the harness without leaking', async () => {
    const w = deWorkload('adam', 3, 60);
    const run = await runMethod(w, 0, makeMethod('koopman-de'));
    // P = 60: a window of 15 steps (6 snapshots 3 apart) before every decision, one every 15 steps
    // from step 60 to 180: 9, each decided or skipped by the budget
    expect(run.costs.decisions + run.costs.budgetSkips).toBe(9);
    expect(run.costs.accepted).toBeGreaterThan(0);
    expect(run.costs.schedule).toMatch(/network/);
    expect(run.tensorDelta).toBe(0);
    const control = await runMethod(w, 0, resetControlMethod('c', 50, 60));
    expect(control.costs.decisions).toBe(3); // resets at steps 60, 110, 160
    expect(control.tensorDelta).toBe(0);
    w.dispose();
  });
});
