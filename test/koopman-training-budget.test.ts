import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BudgetClock } from '../plugins/koopman-training/budget.js';
import { decideJump, type JumpContext } from '../plugins/koopman-training/jump.js';
import type { KoopmanReport } from '../plugins/koopman-training/report.js';
import { resolveKoopmanTrainingArgs } from '../plugins/koopman-training/options.js';
import { partitionWeights } from '../src/partition/partition.js';
import { describeModel, readWeights } from '../src/tfjs/weights.js';
import { TrajectoryRecorder } from '../src/trajectory/recorder.js';
import { regressionModel } from './helpers.js';

// A decision held to the time the budget has left (`limitMs`): it projects its own cost from the
// guard evaluation at t2 and the group fits done, and gives up before passing the limit.

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A guard loss that takes at least `ms` of wall time (a stand-in for a large validation set). */
function slowLoss(ms: number, value = 1) {
  let calls = 0;
  const fn = () => {
    calls++;
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // busy: the evaluation's cost
    }
    return value;
  };
  return { fn, calls: () => calls };
}

/** A decision context on the plugin tests' model (6 node groups), 33 snapshots of a drifting trajectory. */
function context(lossFn: () => number, partition?: 'network'): JumpContext & { model: tf.LayersModel } {
  const model = regressionModel(tf, 1);
  const options = resolveKoopmanTrainingArgs({ guard: { lossFn }, ...(partition ? { partition: { default: partition } } : {}) });
  const groups = partitionWeights(describeModel(model), options.partition).groups;
  const recorder = new TrajectoryRecorder({ groups, capacity: 33 });
  const w0 = readWeights(model);
  for (let s = 0; s < 33; s++) recorder.record(s, w0.map((w, i) => w + 0.01 * (1 - 0.9 ** s) * Math.cos(i)));
  return { model, recorder, stride: 1, options, horizon: 8, candidates: [2, 4, 8], bracket: 2, step: 32, recordMs: 0 };
}

describe('a decision held to the budget left (limitMs)', () => {
  it('abandons the fit once the projected cost passes the limit, leaving the weights at t2', async () => {
    // warm the fitting code so that three tiny fits take far less than the limit
    await decideJump(context(() => 1));
    const guard = slowLoss(20);
    const c = context(guard.fn);
    expect(c.recorder.groups.length).toBe(6);
    const before = Array.from(readWeights(c.model));
    const { record } = await decideJump({ ...c, limitMs: 60 });
    // t2 costs ≥ 20 ms and 3 candidate evaluations (bracket 2 + 2, at most the 3 candidates) ≥ 60 ms
    // more: the projection passes 60 ms as soon as it projects, after the third group
    expect(record.reason).toMatch(/^decision abandoned to stay within the budget: after 3 of 6 group fits \(\d+ ms\) the whole decision was projected at ≈ \d+ ms, more than the 60 ms the budget had left; weights unchanged$/);
    expect(record.projectedMs).toBeGreaterThanOrEqual(20 + 3 * 20);
    expect(record.accepted).toBe(false);
    expect(record.candidates).toEqual([]);
    expect(record.lossBefore).toBe(1);
    expect(record.skippedGroups).toEqual([]);
    expect(guard.calls()).toBe(1);
    expect(Array.from(readWeights(c.model))).toEqual(before);
    c.model.dispose();
  });

  it('evaluates no candidate when one evaluation would pass the limit, and says so', async () => {
    const guard = slowLoss(15);
    const c = context(guard.fn, 'network'); // one group: the fit itself is never cut
    const before = Array.from(readWeights(c.model));
    const { record } = await decideJump({ ...c, limitMs: 10 });
    expect(record.reason).toMatch(/^no candidate was evaluated: one guard evaluation \(\d+ ms\) would have passed the 10 ms the budget had left for this decision; exact t2 weights restored$/);
    expect(record.projectedMs).toBeUndefined();
    expect(record.candidates).toEqual([]);
    expect(guard.calls()).toBe(1);
    expect(Array.from(readWeights(c.model))).toEqual(before);
    c.model.dispose();
  });

  it('decides exactly as without a limit when the limit is not reached', async () => {
    const losses = () => {
      let k = 0;
      return () => [1, 0.9, 0.8, 0.85][k++] ?? 2;
    };
    const free = context(losses());
    const held = context(losses());
    const a = (await decideJump(free)).record;
    const b = (await decideJump({ ...held, limitMs: 1e9 })).record;
    expect(b.candidates).toEqual(a.candidates);
    expect([b.accepted, b.horizon, b.reason]).toEqual([a.accepted, a.horizon, a.reason]);
    expect([a.accepted, a.horizon]).toEqual([true, 4]);
    expect(Array.from(readWeights(held.model))).toEqual(Array.from(readWeights(free.model)));
    free.model.dispose();
    held.model.dispose();
  });
});

describe('BudgetClock: the allowance covers the planned run', () => {
  it('limits the first decision of a planned run to budget × (the planned steps at the measured pace), and none of an unplanned one', () => {
    const report = { spentMs: 0, skippedSteps: 0, budgetSkips: 0, notes: [] as string[] } as unknown as KoopmanReport;
    const clock = new BudgetClock(0.5, report);
    const run = (steps: number) => {
      for (let s = 0; s < steps; s++) {
        const until = performance.now() + 1;
        while (performance.now() < until) {
          // one optimizer step's worth of time
        }
        clock.stepEnded();
        clock.resume();
      }
    };
    clock.start();
    run(10);
    expect(clock.limit()).toBeNull(); // unknown length, no decision yet: the first one is made whole
    clock.plan(90); // fit() says 90 more steps are planned
    const perStep = clock.trainMs / 10;
    expect(perStep).toBeGreaterThanOrEqual(1);
    expect(clock.limit()).toBeCloseTo(0.5 * (clock.trainMs + 90 * perStep), 9);
    run(30); // the planned steps count down as they are taken
    expect(clock.limit()).toBeCloseTo(0.5 * (clock.trainMs + 60 * (clock.trainMs / 40)), 9);
    // spent time comes off the limit, and the jumps' saved steps are added at the measured pace
    report.spentMs = 5;
    report.skippedSteps = 20;
    const pace = clock.trainMs / 40;
    expect(clock.limit()).toBeCloseTo(0.5 * (clock.trainMs + 60 * pace + 5) + 20 * pace - 5, 9);
    clock.decided(3);
    expect(report.spentMs).toBe(8);
  });
});
