import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { meanAndSem, smooth, stepsToAsymptote } from '../experiments/perceptron/curves.js';
import { expectedError, inputPatterns, perceptronStep } from '../experiments/perceptron/rule.js';
import { PAPER_SETTINGS, QUICK_SETTINGS, type PerceptronSettings } from '../experiments/perceptron/settings.js';
import { perceptronModel, simulate, simulationStart } from '../experiments/perceptron/simulate.js';
import { SUMMARY_COLUMNS, runPerceptronStudy } from '../experiments/perceptron/study.js';
import { perceptronSettings } from '../experiments/perceptron/cli.js';
import { parseCsv } from '../experiments/shared/report/csv-read.js';

const shape = { inputs: 4, outputs: 2 };
const at = (K: ArrayLike<number>, i: number, j: number) => K[i * shape.outputs + j];
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('perceptron rule (seed 004, eq. 9–11)', () => {
  it('strengthens a relevant weight by η per miss until w·x > 1, then stops', () => {
    const K = new Float64Array(8).fill(0.702);
    const x = [1, 0, 0, 0];
    let misses = 0;
    for (let t = 0; t < 80; t++) misses += perceptronStep(K, x, 0.005, shape).wrong;
    // 0.702 + 60·0.005 = 1.002 is the first value above the threshold 1
    expect(misses).toBe(60);
    expect(at(K, 0, 0)).toBeCloseTo(1.002, 12);
    // output 1's target is 0 and 0.702 < 1: never wrong, never changed; inactive inputs never change
    expect(at(K, 0, 1)).toBe(0.702);
    for (const i of [1, 2, 3]) for (const j of [0, 1]) expect(at(K, i, j)).toBe(0.702);
  });

  it('weakens co-active irrelevant weights on false positives and strengthens relevant ones on misses', () => {
    const K = new Float64Array(8);
    for (const i of [2, 3]) {
      K[i * 2 + 0] = 0.613; // irrelevant to output 0: 1.226 > 1 fires wrongly
      K[i * 2 + 1] = 0.301; // relevant to output 1: 0.602 misses
    }
    const x = [0, 0, 1, 1];
    for (let t = 0; t < 50; t++) perceptronStep(K, x, 0.005, shape);
    // output 0: 23 false positives (1.226 − 23·0.01 = 0.996 ≤ 1); output 1: 40 misses (0.602 + 40·0.01 = 1.002 > 1)
    for (const i of [2, 3]) {
      expect(at(K, i, 0)).toBeCloseTo(0.613 - 23 * 0.005, 12);
      expect(at(K, i, 1)).toBeCloseTo(0.301 + 40 * 0.005, 12);
    }
  });

  it('expected error is exact over the 16 patterns', () => {
    const patterns = inputPatterns(4, 0.25);
    expect(patterns.reduce((a, p) => a + p.prob, 0)).toBeCloseTo(1, 14);
    // a solution: relevant weights 1.1, irrelevant 0.4
    const solved = new Float64Array(8);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 2; j++) solved[i * 2 + j] = Math.floor(i / 2) === j ? 1.1 : 0.4;
    expect(expectedError(solved, patterns, shape)).toBe(0);
    // all weights 0: every output 0, wrong exactly when its half has an active input: P = 1 − (3/4)²
    expect(expectedError(new Float64Array(8), patterns, shape)).toBeCloseTo(1 - 0.75 ** 2, 14);
  });
});

describe('curve statistics', () => {
  it('smooths with a centred window cut at the ends', () => {
    const y = [0, 0, 10, 0, 0];
    expect(Array.from(smooth(y, 3))).toEqual([0, 10 / 3, 10 / 3, 10 / 3, 0]);
    expect(() => smooth(y, 0)).toThrow(/smoothing width/);
  });
  it('finds the first step within the tolerance of the final value', () => {
    const r = stepsToAsymptote([10, 5, 2.5, 4, 2, 2], 1);
    expect(r).toEqual({ firstEntry: 3, settled: 5, final: 2 });
  });
  it('mean and SEM across simulations', () => {
    const { mean, sem } = meanAndSem([[1, 2], [3, 2]]);
    expect(Array.from(mean)).toEqual([2, 2]);
    expect(sem[0]).toBeCloseTo(1, 14);
    expect(sem[1]).toBe(0);
  });
});

describe('Koopman training of the perceptron through the plugin', () => {
  const s: PerceptronSettings = { ...PAPER_SETTINGS, steps: 150, horizon: 100, every: null };

  it('single-weight operators jump each weight to w(t2)·a^T with the least-squares a of its own window', async () => {
    await tf.setBackend('cpu');
    const model = perceptronModel(shape);
    const before = tf.memory().numTensors;
    const plain = await simulate('plain', 3, s, null, true);
    const single = await simulate('single', 3, s, model, true);
    expect(tf.memory().numTensors).toBe(before);
    const d = 8;
    const w0 = simulationStart(3, s).K;
    const traj = (t: number, i: number) => (t === 0 ? w0[i] : plain.weights![(t - 1) * d + i]);
    // steps before the jump are the plain rule's
    for (let t = 1; t < s.windowEnd; t++) for (let i = 0; i < d; i++) expect(single.weights![(t - 1) * d + i]).toBe(plain.weights![(t - 1) * d + i]);
    for (let i = 0; i < d; i++) {
      let num = 0;
      let den = 0;
      for (let t = 0; t < s.windowEnd; t++) {
        num += traj(t + 1, i) * traj(t, i);
        den += traj(t, i) ** 2;
      }
      const a = num / den;
      const expected = traj(s.windowEnd, i) * a ** s.horizon!;
      expect(single.weights![(s.windowEnd - 1) * d + i]).toBeCloseTo(expected, 5);
    }
    expect(single.jumps).toBe(1);
    model.dispose();
  });

  it('node and layer operators change the weights at the jump and leave the memory flat', async () => {
    await tf.setBackend('cpu');
    const model = perceptronModel(shape);
    const before = tf.memory().numTensors;
    const plain = await simulate('plain', 5, s, null, true);
    for (const m of ['node', 'layer'] as const) {
      const r = await simulate(m, 5, s, model, true);
      expect(r.jumps).toBe(1);
      const t = s.windowEnd - 1;
      let moved = 0;
      for (let i = 0; i < 8; i++) moved += Math.abs(r.weights![t * 8 + i] - plain.weights![t * 8 + i]);
      expect(moved).toBeGreaterThan(1e-3);
    }
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('quick mode writes the summary, and Koopman training ends below the plain rule', async () => {
    await tf.setBackend('cpu');
    const out = mkdtempSync(join(tmpdir(), 'perceptron-'));
    dirs.push(out);
    const settings = perceptronSettings({ quick: true });
    expect(settings.simulations).toBe(QUICK_SETTINGS.simulations);
    const { results } = await runPerceptronStudy(settings, out, 'test', true);
    for (const f of ['summary.csv', 'summary.md', 'curves.csv', 'error.svg', 'weights.svg']) expect(existsSync(join(out, f))).toBe(true);
    const rows = parseCsv(readFileSync(join(out, 'summary.csv'), 'utf8'));
    expect(Object.keys(rows[0])).toEqual(SUMMARY_COLUMNS);
    expect(rows.map((r) => r.method)).toEqual(['plain', 'single', 'node', 'layer']);
    const by = Object.fromEntries(results.map((r) => [r.method, r]));
    for (const m of ['single', 'node', 'layer']) expect(by[m].finalError).toBeLessThan(by.plain.finalError);
  });

  it('rejects bad flags by name', () => {
    expect(() => perceptronSettings({ steps: 0 })).toThrow(/--steps/);
    expect(() => perceptronSettings({ 'window-end': 2000 })).toThrow(/--window-end/);
    expect(perceptronSettings({ every: 0 }).every).toBeNull();
  });
});
