import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { spectrumMonitor } from '../plugins/spectrum-monitor/index.js';
import { comparisonRows, restoreOracle } from '../experiments/spectrum/comparison.js';
import { curveForecast, evalCurve, fitCurve, koopmanForecast } from '../experiments/spectrum/forecast-score.js';
import { replayDivergence, restartRow } from '../experiments/spectrum/restart-early.js';
import { paretoFront, precheltName, replayPrechelt, scoreOutcome, trainingProgress } from '../experiments/spectrum/stopping-rules.js';

describe("Prechelt's criteria", () => {
  it('GL_α stops after the first epoch whose validation loss is more than α% above the best so far', () => {
    const val = [1, 0.9, 0.8, 0.81, 0.82, 0.9];
    const train = val.map(() => 1);
    // GL: 0, 0, 0, 1.25, 2.5, 12.5
    expect(replayPrechelt({ kind: 'gl', param: 2 }, val, train)).toMatchObject({ stopEpoch: 4, epochsUsed: 5, action: 'stop', rule: 'prechelt-gl2' });
    expect(replayPrechelt({ kind: 'gl', param: 1 }, val, train).stopEpoch).toBe(3);
    expect(replayPrechelt({ kind: 'gl', param: 20 }, val, train)).toMatchObject({ stopEpoch: null, epochsUsed: 6, action: 'none' });
  });

  it('P_k is 1000·(strip mean / strip minimum − 1); PQ_α compares GL / P_k with α at strip ends only', () => {
    expect(trainingProgress([5, 2, 1], 2, 2)).toBeCloseTo(500, 10);
    expect(trainingProgress([4, 4, 4, 4], 3, 4)).toBe(0);
    // strip 2: ends at epochs 1, 3, 5. GL at 3 = 100·(0.84/0.8 − 1) = 5; P₂(3) = 1000·(1.01/1 − 1) = 10 → 0.5
    const val = [1, 0.8, 0.9, 0.84, 0.9, 0.95];
    const train = [2, 1.5, 1.02, 1, 0.99, 0.99];
    const pq = replayPrechelt({ kind: 'pq', param: 0.4 }, val, train, 2);
    expect(pq.stopEpoch).toBe(3); // epoch 2 has GL 12.5 but is not a strip end
    expect(replayPrechelt({ kind: 'pq', param: 0.6 }, val, train, 2).stopEpoch).toBe(5); // P₂(5) = 0 → GL/P = ∞
  });

  it('UP_s stops at the end of the s-th successive strip whose validation loss rose', () => {
    // strip 2, ends at 1, 3, 5, 7: val[3] > val[1], val[5] > val[3], val[7] < val[5]
    const val = [1, 0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.1];
    const train = val.map(() => 1);
    expect(replayPrechelt({ kind: 'up', param: 1 }, val, train, 2).stopEpoch).toBe(3);
    expect(replayPrechelt({ kind: 'up', param: 2 }, val, train, 2).stopEpoch).toBe(5);
    expect(replayPrechelt({ kind: 'up', param: 3 }, val, train, 2).stopEpoch).toBeNull();
    expect(precheltName({ kind: 'up', param: 3 })).toBe('prechelt-up3');
    expect(() => replayPrechelt({ kind: 'up', param: 1.5 }, val, train)).toThrow(/integer s/);
  });
});

describe('scoring and the Pareto front', () => {
  const points = [
    { valLoss: 3, testLoss: 3 },
    { valLoss: 1, testLoss: 1.1 },
    { valLoss: 0.5, testLoss: 0.6 },
    { valLoss: 0.7, testLoss: 0.9 },
    { valLoss: 0.5, testLoss: 0.95 },
  ];
  it('restore scores the first lowest validation epoch up to the stop, final the stop itself', () => {
    expect(scoreOutcome(points, { epochsUsed: 4 })).toEqual({ epochsUsed: 4, finalTestLoss: 0.95, restoredTestLoss: 0.6, restoredEpoch: 2 });
    expect(scoreOutcome(points, { epochsUsed: 1 })).toEqual({ epochsUsed: 1, finalTestLoss: 1.1, restoredTestLoss: 1.1, restoredEpoch: 1 });
    expect(() => scoreOutcome(points, { epochsUsed: 5 })).toThrow(/outside 1 … 4/);
  });

  it('a point is on the front when no other is at least as good in both and better in one', () => {
    const front = paretoFront([
      { x: 1, y: 5 },
      { x: 2, y: 3 },
      { x: 3, y: 3 },
      { x: 4, y: 1 },
      { x: 2, y: 3 },
      { x: NaN, y: 0 },
    ]);
    expect(front).toEqual([true, true, false, true, true, false]);
  });

  it('comparison rows: ratios against earlyStopping(10) scored the same way, a front per scoring', () => {
    const run = { points: points.map((p) => ({ trainLoss: p.valLoss, testAcc: 0, ...p })) };
    const o = (e: number) => ({ epochsUsed: e, stopEpoch: e - 1, action: 'stop' as const, rule: 'x', reason: '' });
    const methods = [
      { name: 'early-stopping-10', family: 'early-stopping' as const },
      { name: 'a', family: 'prechelt' as const },
    ];
    const rows = comparisonRows([run], [{ 'early-stopping-10': o(4), a: o(2) }], methods);
    const r = (m: string, restore: boolean) => rows.find((x) => x.method === m && x.restore === restore)!;
    expect(r('a', false)).toMatchObject({ medianEpochs: 2, medianTestLoss: 0.6, pairedEpochRatio: 0.5, runsMeetingGoal: 1, onParetoFront: true });
    expect(r('a', false).pairedLossRatio).toBeCloseTo(0.6 / 0.95, 12);
    expect(r('early-stopping-10', false).onParetoFront).toBe(false);
    expect(r('a', true)).toMatchObject({ medianTestLoss: 0.6, pairedLossRatio: 1, onParetoFront: true });
    expect(restoreOracle([run], [o(4)])).toEqual({ earliestRatio: 0.5, reachable: 1 });
  });
});

describe('restart rules', () => {
  it('the divergence rule restarts at the first epoch from fromEpoch that is above the threshold or not finite', () => {
    expect(replayDivergence([3, 2, 0.5, 1.5], 1, 0)).toMatchObject({ stopEpoch: 0, action: 'restart', rule: 'divergence-threshold' });
    expect(replayDivergence([3, 2, 0.5, 1.5], 1, 2)).toMatchObject({ stopEpoch: 3 });
    expect(replayDivergence([0.5, NaN], 1, 0)).toMatchObject({ stopEpoch: 1, rule: 'non-finite' });
    expect(replayDivergence([0.5, 0.4], 1, 0)).toMatchObject({ stopEpoch: null, action: 'none' });
  });

  it('recall, false restarts and the decision share count restarts before the cutoff', () => {
    const restart = (e: number) => ({ epochsUsed: e + 1, stopEpoch: e, action: 'restart' as const, rule: 'r', reason: '' });
    const none = { epochsUsed: 10, stopEpoch: null, action: 'none' as const, rule: 'budget', reason: '' };
    const row = restartRow(
      'm',
      [
        { init: 'dead-relu', bad: true, outcome: restart(5) },
        { init: 'dead-relu', bad: true, outcome: restart(30) },
        { init: 'exploding-lr', bad: true, outcome: restart(10) },
        { init: 'he', bad: false, outcome: restart(3) },
        { init: 'he', bad: false, outcome: none },
      ],
      20,
      200,
    );
    expect(row).toMatchObject({ caught: 2, positives: 3, falseRestarts: 1, negatives: 2, decidedShare: 10 / 200 });
    expect(row.byInit).toEqual({ 'dead-relu': { caught: 1, runs: 2 }, 'exploding-lr': { caught: 1, runs: 1 } });
  });
});

describe('learning-curve fits', () => {
  const t = Array.from({ length: 30 }, (_, i) => i + 1);
  it('recover an exact power law and an exact exponential', () => {
    const pl = fitCurve('power-law', t, t.map((x) => 0.2 + 2 * x ** -0.7));
    expect(pl.a).toBeCloseTo(0.2, 4);
    expect(pl.b).toBeCloseTo(2, 3);
    expect(pl.c).toBeCloseTo(0.7, 4);
    const ex = fitCurve('exponential', t, t.map((x) => 0.3 + 1.5 * Math.exp(-0.1 * x)));
    expect(ex.c).toBeCloseTo(0.1, 5);
    expect(evalCurve(ex, 200)).toBeCloseTo(0.3 + 1.5 * Math.exp(-20), 5);
    const best = curveForecast(t, t.map((x) => 0.3 + 1.5 * Math.exp(-0.1 * x)), 100);
    expect(best.family).toBe('exponential');
    expect(best.best).toBeCloseTo(0.3 + 1.5 * Math.exp(-10), 5);
    expect(() => fitCurve('exponential', [1, 2], [1, 2])).toThrow(/at least 3 points/);
  });
});

describe('sm.forecast(epochs)', () => {
  it('forecasts a + b·λᵗ exactly: the constant observable represents the limit', async () => {
    const series = Array.from({ length: 40 }, (_, t) => 0.25 + 2 * 0.9 ** t);
    const before = tf.memory().numTensors;
    const sm = spectrumMonitor({ monitor: 'val_loss', patience: 1000, delays: 5, window: 'sliding', windowSize: 30 });
    sm.attach();
    expect(sm.forecast(10)).toBeNull();
    for (let e = 0; e < series.length; e++) await sm.afterEpoch({ val_loss: series[e] }, e);
    expect(sm.forecast(0)).toBe(series[39]);
    for (const h of [1, 10, 160]) expect(sm.forecast(h)!).toBeCloseTo(0.25 + 2 * 0.9 ** (39 + h), 6);
    expect(() => sm.forecast(-1)).toThrow(/integer ≥ 0/);
    expect(tf.memory().numTensors).toBe(before);
    // the experiment's helper drives a monitor the same way
    const f = await koopmanForecast(series.concat(Array.from({ length: 60 }, (_, i) => 0.25 + 2 * 0.9 ** (40 + i))), 40, { monitor: 'val_loss', delays: 5, windowSize: 30 });
    expect(f!).toBeCloseTo(0.25 + 2 * 0.9 ** 99, 6);
  });
});

describe('exploding-lr runs', () => {
  it('train He-initialised networks at 1000× the study learning rate; the other runs keep it', async () => {
    const { runLearningRate, EXPLODING_LR_FACTOR, BAD_INITS } = await import('../experiments/spectrum/model.js');
    expect(EXPLODING_LR_FACTOR).toBe(1000);
    expect(runLearningRate('exploding-lr', 1e-3)).toBeCloseTo(1, 12);
    expect(runLearningRate('he', 1e-3)).toBe(1e-3);
    expect(runLearningRate('dead-relu', 1e-3)).toBe(1e-3);
    expect(BAD_INITS).toEqual(['normal-large', 'dead-relu', 'exploding-lr']);
  });
});

describe('the forecast restart reads sm.forecast', () => {
  it('restarts a slowly falling run above target with the value sm.forecast gives', async () => {
    const x = Array.from({ length: 30 }, (_, t) => 3 + 5 * 0.97 ** t);
    const sm = spectrumMonitor({ monitor: 'val_loss', spectral: 'both', patience: 100, target: 1, forecastEpochs: 100, minEpochs: 12, delays: 5 });
    const twin = spectrumMonitor({ monitor: 'val_loss', patience: 100, delays: 5 });
    sm.attach();
    twin.attach();
    let last = null as Awaited<ReturnType<typeof sm.afterEpoch>> | null;
    for (let e = 0; e < x.length; e++) {
      last = await sm.afterEpoch({ val_loss: x[e] }, e);
      await twin.afterEpoch({ val_loss: x[e] }, e);
      if (last.action !== 'continue') break;
    }
    expect(last!.epoch).toBe(11);
    expect(last!.rule).toBe('poor-forecast');
    const f = twin.forecast(100)!;
    expect(f).toBeCloseTo(3 + 5 * 0.97 ** 111, 6);
    expect(last!.reason).toContain(`puts it at ${Number(f.toPrecision(4))} 100 epochs from now`);
  });
});
