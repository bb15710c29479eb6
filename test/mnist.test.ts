import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mnistSettings } from '../experiments/mnist/cli.js';
import { mergeMnistFolders, runMnistExperiment } from '../experiments/mnist/experiment.js';
import { fineGrid, plainSeries, SUMMARY_COLUMNS, teqSteps, timeToLoss } from '../experiments/mnist/measure.js';
import type { RunResult } from '../experiments/shared/mnist/run.js';
import { MLP_ADADELTA, buildMlp } from '../experiments/shared/mlp.js';
import { makeOptimizer } from '../experiments/shared/optimizers.js';
import { getLearningRate, setLearningRate } from '../src/tfjs/learning-rate.js';
import { selectBackend } from '../src/backend/index.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('MNIST experiment pieces', () => {
  it('timeToLoss interpolates within the epoch that first reaches the target', () => {
    expect(timeToLoss([2, 1, 0.5], [0, 10, 20], 0.75)).toBeCloseTo(15, 12);
    expect(timeToLoss([2, 1, 0.5], [0, 10, 20], 1)).toBeCloseTo(10, 12);
    expect(timeToLoss([2, 1, 0.5], [0, 10, 20], 0.1)).toBeNaN();
  });

  it('fine T_eq grid: powers of two and eighths of an epoch up to t2 + T', () => {
    expect(fineGrid({ t2: 3, horizon: 1, stepsPerEpoch: 100 })).toEqual([304, 308, 312, 316, 324, 332, 336, 348, 360, 364, 372, 384, 396, 400]);
    const g = fineGrid({ t2: 5, horizon: 2, stepsPerEpoch: 938 });
    expect(g[0]).toBe(4694);
    expect(g[g.length - 1]).toBe(5 * 938 + 1876);
    expect(g).toContain(5 * 938 + 1024);
    expect(g).toContain(5 * 938 + 117 * 8);
  });

  it('T_eq on a non-uniform series of plain losses is eq. 12–13 in optimizer steps', () => {
    // plain losses at t2 and 10, 20, 60 steps later, then epoch ends
    const plain = {
      testLoss: [3, 2, 1.0, 0.5, 0.4],
      trainLoss: [3, 2, 0.9, 0.45, 0.35],
      fine: [
        { step: 210, testLoss: 0.9, trainLoss: 0.8 },
        { step: 220, testLoss: 0.8, trainLoss: 0.7 },
        { step: 260, testLoss: 0.6, trainLoss: 0.5 },
        { step: 400, testLoss: 0.5, trainLoss: 0.45 },
      ],
    } as unknown as RunResult;
    const s = mnistSettings({ quick: true, epochs: 4 });
    // t2 = 2 epochs of 100 steps, T = 2 epochs: the fine points up to step 400 (the last is dropped
    // as a fine point only if past t2 + T), no epoch end after t2 + T
    const sTest = plainSeries(plain, { ...s, t2: 2, horizon: 2, stepsPerEpoch: 100 }, 'testLoss');
    expect(sTest).toEqual({ steps: [0, 10, 20, 60, 200], loss: [1.0, 0.9, 0.8, 0.6, 0.5] });
    // ℓ_KO = 0.7 lies halfway between 0.8 (20 steps) and 0.6 (60 steps): T_eq = 40 steps
    expect(teqSteps(sTest, 0.7).steps).toBeCloseTo(40, 12);
    expect(teqSteps(sTest, 0.95).steps).toBeCloseTo(5, 12);
    expect(teqSteps(sTest, 1.2)).toEqual({ steps: 0, censored: false });
    expect(teqSteps(sTest, 0.1)).toEqual({ steps: 200, censored: true });
    const sTrain = plainSeries(plain, { ...s, t2: 2, horizon: 1, stepsPerEpoch: 100 }, 'trainLoss');
    // T = 1 epoch: fine points up to step 300 only, then the end of epoch 4 (200 steps after t2)
    expect(sTrain).toEqual({ steps: [0, 10, 20, 60, 200], loss: [0.9, 0.8, 0.7, 0.5, 0.35] });
  });

  it('the MLP has the paper\'s 784-20-20-20-10 shape and PyTorch-style ±1/√fan_in init', () => {
    const m = buildMlp(3);
    expect(m.countParams()).toBe(785 * 20 + 21 * 20 + 21 * 20 + 21 * 10);
    const k = m.getLayer('dense1').getWeights()[0].dataSync();
    const lim = 1 / Math.sqrt(784);
    expect(Math.max(...k)).toBeLessThanOrEqual(lim);
    expect(Math.min(...k)).toBeGreaterThanOrEqual(-lim);
    expect(Math.max(...k)).toBeGreaterThan(0.9 * lim);
    m.dispose();
  });

  it('setting the protected learning rate changes the update size', async () => {
    const v = tf.variable(tf.scalar(1));
    const opt = tf.train.sgd(0.1);
    opt.minimize(() => v.square() as tf.Scalar, false, [v]);
    const after1 = v.dataSync()[0]; // 1 − 0.1·2 = 0.8
    setLearningRate(opt, 0.01);
    expect(getLearningRate(opt)).toBe(0.01);
    opt.minimize(() => v.square() as tf.Scalar, false, [v]);
    expect(after1).toBeCloseTo(0.8, 6);
    expect(v.dataSync()[0]).toBeCloseTo(0.8 - 0.01 * 1.6, 6);
    v.dispose();
    makeOptimizer(MLP_ADADELTA).dispose();
  });

  it('settings: flags override the paper, bad values are named', () => {
    expect(mnistSettings({}).stepsPerEpoch).toBe(938);
    expect(mnistSettings({ quick: true }).stepsPerEpoch).toBe(100);
    expect(() => mnistSettings({ epochs: 6 })).toThrow('--epochs (6) must be at least t2 + T = 7 so T_eq can be measured');
    expect(() => mnistSettings({ quick: true, seeds: 0 })).toThrow('--seeds must be an integer ≥ 1; got 0');
  });
});

describe('quick MNIST experiment', () => {
  it('writes runs, summary with the exact columns, Markdown and plots', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tfk-mnist-'));
    const s = mnistSettings({ quick: true, seeds: 1, out });
    const r = await runMnistExperiment(s, 'test', 'wasm');
    for (const f of ['runs.csv', 'summary.csv', 'summary.md', 'test-loss.svg', 'teq-over-t.svg', 'weights.svg']) expect(existsSync(join(out, f))).toBe(true);
    const csv = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(SUMMARY_COLUMNS.join(','));
    expect(csv).toHaveLength(3);
    expect(r.rows).toHaveLength(2);
    for (const row of r.rows) {
      expect(Number.isFinite(row.final_test_loss)).toBe(true);
      expect(row.plain_final_test_acc).toBeGreaterThan(0.3); // it learned something in 500 steps
      expect(row.jumps).toBeGreaterThanOrEqual(1);
    }
    // both configurations make their first jump at t2 (end of epoch 3 of 100 steps); the paper
    // recipe jumps exactly T unchecked unless its prediction is not even finite
    for (const row of r.rows) expect(row.first_jump_step).toBe(300);
    const paper = r.rows.find((x) => x.config === 'paper')!;
    if (paper.first_jump_horizon_steps === 100) expect(paper.first_jump_reason).toMatch(/no guard: jumped 100 steps unchecked/);
    else expect(paper.first_jump_reason).toMatch(/not finite; weights unchanged/);
    const best = r.rows.find((x) => x.config === 'best')!;
    expect(best.first_jump_reason).toMatch(/candidate horizons|restored/);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/Quick mode: scaled down/);
    // the Fig. 3b plot has the traced weights of the plain run (a line each) and Koopman points
    const svg = readFileSync(join(out, 'weights.svg'), 'utf8');
    expect(svg.match(/<path /g)?.length).toBe(3);
    expect(svg).toMatch(/Koopman/);
    // a second invocation with another seed is appended, not overwritten
    const r2 = await runMnistExperiment({ ...s, seedOffset: 1 }, 'test 2', 'wasm');
    expect(r2.rows.map((x) => `${x.seed}:${x.config}`)).toEqual(['0:best', '0:paper', '1:best', '1:paper']);
    expect(readFileSync(join(out, 'summary.csv'), 'utf8').split('\n')[1]).toMatch(/^paper,2,/);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/Command\(s\): `test`, `test 2`/);
    await expect(runMnistExperiment({ ...s, epochs: 6 }, 'test 3', 'wasm')).rejects.toThrow(/holds runs made with other settings/);
    // a second process's folder (another seed) merges in without training; other settings are refused
    const out2 = mkdtempSync(join(tmpdir(), 'tfk-mnist-b-'));
    await runMnistExperiment({ ...s, out: out2, seedOffset: 2 }, 'test b', 'wasm');
    const m = mergeMnistFolders(s, out2, 'wasm');
    expect(m.rows.map((x) => `${x.seed}:${x.config}`)).toEqual(['0:best', '0:paper', '1:best', '1:paper', '2:best', '2:paper']);
    expect(readFileSync(join(out, 'summary.csv'), 'utf8').split('\n')[1]).toMatch(/^paper,3,/);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/Command\(s\): `test`, `test 2`, `test b`/);
    expect(() => mergeMnistFolders({ ...s, epochs: 6 }, out2, 'wasm')).toThrow(/holds runs made with other settings/);
  }, 480_000);
});
