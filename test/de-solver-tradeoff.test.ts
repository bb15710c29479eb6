import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { koopmanTraining } from '../plugins/koopman-training/index.js';
import { selectBackend } from '../src/backend/index.js';
import { buildSolverNet, physicsLoss, physicsLossValue, solverVariables } from '../experiments/shared/de-solver/network.js';
import { SOLVER_PARTITION } from '../experiments/shared/de-solver/config.js';
import { solverOptimizer } from '../experiments/shared/de-solver/optimizers.js';
import { makeOptimizer } from '../experiments/shared/optimizers.js';
import { setLearningRate } from '../src/tfjs/learning-rate.js';
import { PAPER_PROBLEM, learningRate, trainingTimes } from '../experiments/shared/de-solver/problem.js';
import { BEST_AT_PAPER_SCALE, PAPER_SCHEDULE, QUICK_SCHEDULE, bestSettings } from '../experiments/shared/de-solver/config.js';
import { weightStride } from '../experiments/de-solver/results.js';
import { agreementRule, fixedRule, guardRule, summariseTradeoffRules } from '../experiments/de-solver/tradeoff-rules.js';
import { tradeoffJob, tradeoffSettings, type TradeoffRow } from '../experiments/de-solver/tradeoff-score.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const row = (seed: number, h: number, loss_ko: number, teq_over_h: number, disagreement: number): TradeoffRow => ({
  optimizer: 'adagrad',
  seed,
  fit: 'f',
  end: 100,
  h,
  loss_end: 1,
  loss_ko,
  loss_plain: NaN,
  teq_over_h,
  teq_censored: false,
  error_to_growth: disagreement / 2,
  disagreement,
});

describe('de-solver trade-off: horizon rules', () => {
  // seed 0: loss falls with h, the two fits part at h = 400; seed 1: nothing beats the loss at the end.
  const rows = [row(0, 100, 0.9, 1.02, 0.01), row(0, 200, 0.8, 1.0, 0.03), row(0, 400, 0.7, 0.8, 0.2), row(0, 800, NaN, 0, NaN), row(1, 100, 1.2, 0, 0.01), row(1, 200, 1.5, 0, 0.02)];
  const of = (s: number) => rows.filter((r) => r.seed === s);

  it('the guard keeps the lowest finite loss below the loss at the window end, or nothing', () => {
    expect(guardRule(of(0))?.h).toBe(400);
    expect(guardRule(of(1))).toBeNull();
  });

  it('the agreement rule keeps the lowest loss among the improving horizons within τ', () => {
    expect(agreementRule(0.02)(of(0))?.h).toBe(100);
    expect(agreementRule(0.05)(of(0))?.h).toBe(200);
    expect(agreementRule(1)(of(0))?.h).toBe(400); // NaN disagreement (non-finite prediction) never qualifies
    expect(agreementRule(1)(of(1))).toBeNull();
    expect(fixedRule(200)(of(0))?.teq_over_h).toBe(1.0);
    expect(fixedRule(200)(of(1))).toBeNull();
  });

  it('summaries count a run without a jump as T_eq/h = 0 and saved steps = 0', () => {
    const [g] = summariseTradeoffRules(rows, { guard: guardRule });
    expect(g).toMatchObject({ optimizer: 'adagrad', fit: 'f', end: 100, rule: 'guard', runs: 2, jumped: 1, median_h: 200 });
    expect(g.median_teq_over_h).toBeCloseTo(0.4, 12); // median of 0.8 and 0
    expect(g.share_teq_over_h_ge_1).toBe(0);
    expect(g.median_error_to_growth).toBeCloseTo(0.1, 12); // over runs that jumped
    expect(g.median_steps_saved).toBeCloseTo((0.8 * 400) / 2, 12);
  });
});

describe('de-solver trade-off: offline fits match the plugin', () => {
  it('the loss of every candidate equals what the plugin guard measured on the same run, and T_eq/h follows the plain losses', async () => {
    const seed = 3;
    const [end, window, stride] = [600, 400, 10];
    const horizons = [20, 50, 100];
    const rows = await tradeoffJob({ optimizer: 'adagrad', seed, ends: [end], horizons, window, stride, fits: { stabilised: { rank: -1, affine: true, stabilize: true } } });
    expect(rows.every((r) => r.fit === 'stabilised')).toBe(true);
    expect(rows.map((r) => r.h)).toEqual(horizons);

    // The same plain training with the plugin jumping once at `end` (guard on the physics loss).
    const t = tf.tensor2d(trainingTimes(PAPER_PROBLEM), [PAPER_PROBLEM.points, 1]);
    const model = buildSolverNet(seed);
    const vars = solverVariables(model);
    const opt = makeOptimizer(solverOptimizer('adagrad'));
    const kt = koopmanTraining({
      partition: SOLVER_PARTITION,
      window: { start: end - window, end },
      horizon: 100,
      recordEvery: stride,
      rank: -1,
      affine: true,
      stabilize: true,
      // a tolerance nothing exceeds: every candidate is evaluated, and its disagreement is reported
      guard: { lossFn: (m) => physicsLossValue(m, t), candidates: horizons, agreement: 1e6 },
    });
    await kt.attach(model);
    const losses: number[] = [];
    for (let s = 1; s <= end + 100 && kt.report.jumps.length === 0; s++) {
      setLearningRate(opt, learningRate(s - 1));
      const l = opt.minimize(() => physicsLoss(model, t), true, vars)!;
      losses.push(l.dataSync()[0]);
      l.dispose();
      await kt.afterStep({ loss: losses[losses.length - 1] });
    }
    const jump = kt.report.jumps[0];
    expect(jump.step).toBe(end);
    expect(jump.lossBefore).toBeCloseTo(rows[0].loss_end, 6);
    for (const r of rows) {
      const c = jump.candidates.find((x) => x.horizon === r.h)!;
      expect(Math.abs(c.loss - r.loss_ko) / r.loss_ko).toBeLessThan(1e-5);
      // the offline disagreement is the plugin's: median |w_full − w_half| ÷ median |w_full − w(t2)|
      expect(Math.abs(c.disagreement! - r.disagreement) / r.disagreement).toBeLessThan(1e-9);
      // T_eq/h vs 1 follows the Koopman loss vs the plain loss h steps later (the losses fall monotonically
      // here); a censored T_eq (the plain run ended first) is only a lower bound
      if (!r.teq_censored) expect(Math.sign(r.teq_over_h - 1)).toBe(Math.sign(r.loss_plain - r.loss_ko) || 0);
      expect(r.error_to_growth).toBeGreaterThan(0);
      expect(r.disagreement).toBeGreaterThan(0);
    }
    // The plugin's choice is the guard rule's.
    expect(jump.horizon).toBe(guardRule(rows)?.h);
    opt.dispose();
    model.dispose();
    t.dispose();
  });
});

describe('de-solver trade-off: settings per schedule', () => {
  it('scores the best candidates at the paper scale, scaled like best, and nothing a window cannot fit', () => {
    const paper = tradeoffSettings(PAPER_SCHEDULE);
    expect(paper).toMatchObject({ ends: [7_500, 10_000, 15_000, 20_000, 30_000], window: 5_000, stride: 50 });
    expect(paper.horizons).toEqual(BEST_AT_PAPER_SCALE.candidates);
    expect(weightStride(PAPER_SCHEDULE, BEST_AT_PAPER_SCALE, paper)).toBe(50);
    const quick = tradeoffSettings(QUICK_SCHEDULE);
    expect(quick).toMatchObject({ ends: [150, 200, 300, 400, 600], window: 100, stride: 1 });
    expect(quick.horizons).toEqual(bestSettings(QUICK_SCHEDULE).candidates);
    // T = 10: a 20-step window, 11 snapshots in its half, fewer than a full-rank affine node of 11 weights needs
    expect(tradeoffSettings({ steps: 240, t1: 140, t2: 180, horizon: 10 }).ends).toEqual([]);
  });
});
