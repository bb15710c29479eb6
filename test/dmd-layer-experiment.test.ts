import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dmdLayerSettings } from '../experiments/dmd-layer/cli.js';
import { runDmdLayerExperiment } from '../experiments/dmd-layer/experiment.js';
import { loadSplits, runSeed } from '../experiments/dmd-layer/run.js';
import { summarise, SUMMARY_COLUMNS } from '../experiments/dmd-layer/summary.js';
import { yinYangClass, yinYangSet } from '../experiments/dmd-layer/yin-yang.js';
import { parseCsv } from '../experiments/shared/report/csv-read.js';
import { selectBackend } from '../src/backend/index.js';
import { rng } from './helpers.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('Yin-Yang data set (Kriener et al. 2021 construction)', () => {
  it('classes at known points of the figure', () => {
    expect(yinYangClass(0.25, 0.5)).toBe(2); // left dot
    expect(yinYangClass(0.75, 0.5)).toBe(2); // right dot
    expect(yinYangClass(0.25, 0.7)).toBe(0); // ring around the left dot
    expect(yinYangClass(0.5, 0.9)).toBe(0); // upper half, away from the right half-disc
    expect(yinYangClass(0.5, 0.1)).toBe(1); // lower half
    expect(yinYangClass(0.75, 0.7)).toBe(1); // ring around the right dot
  });

  it('is point-symmetric: outside the dots, the class flips under (x, y) → (1 − x, 1 − y)', () => {
    const r = rng(3);
    let checked = 0;
    for (let i = 0; i < 2000; i++) {
      const x = r();
      const y = r();
      if (Math.hypot(x - 0.5, y - 0.5) > 0.5) continue;
      const c = yinYangClass(x, y);
      if (c === 2) {
        expect(yinYangClass(1 - x, 1 - y)).toBe(2);
        continue;
      }
      expect(yinYangClass(1 - x, 1 - y)).toBe(1 - c);
      checked++;
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('draws balanced classes inside the disc, inputs (x, y, 1 − x, 1 − y), seeded', () => {
    const s = yinYangSet(3000, 42);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) {
      const [x, y, fx, fy] = s.inputs.subarray(i * 4, i * 4 + 4);
      expect(Math.hypot(x - 0.5, y - 0.5)).toBeLessThanOrEqual(0.5 + 1e-6);
      expect(fx).toBeCloseTo(1 - x, 6);
      expect(fy).toBeCloseTo(1 - y, 6);
      expect(yinYangClass(x, y)).toBe(s.labels[i]);
      counts[s.labels[i]]++;
    }
    for (const c of counts) expect(Math.abs(c / 3000 - 1 / 3)).toBeLessThan(0.04);
    expect(yinYangSet(50, 42).inputs).toEqual(yinYangSet(50, 42).inputs);
    expect(yinYangSet(50, 41).inputs).not.toEqual(yinYangSet(50, 42).inputs);
  });
});

describe('dmd-layer experiment', () => {
  it('summary picks the configuration with the best median validation accuracy', () => {
    const base = { dataset: 'mnist' as const, layer: 'hidden2', rank: 5, original_val_acc: 0.9, original_acc: 0.9, reconstruction_error: 0.1, condition: 1, spectral_radius: 1, singular_values: '', fit_ms: 1 };
    const rows = [
      { ...base, seed: 0, delays: 1, rank_rule: '-1', replaced_val_acc: 0.8, replaced_acc: 0.95 },
      { ...base, seed: 1, delays: 1, rank_rule: '-1', replaced_val_acc: 0.8, replaced_acc: 0.95 },
      { ...base, seed: 0, delays: 2, rank_rule: '-1', replaced_val_acc: 0.89, replaced_acc: 0.87 },
      { ...base, seed: 1, delays: 2, rank_rule: '-1', replaced_val_acc: 0.88, replaced_acc: 0.89 },
    ];
    const [s] = summarise(rows);
    expect(s.delays).toBe(2); // chosen on validation, not on test
    expect(s.replaced_acc).toBeCloseTo(0.88, 12);
    expect(s.loss).toBeCloseTo(0.02, 12);
    expect(s.goal_met).toBe(false);
    expect(s.seeds).toBe(2);
  });

  it('one seed leaves the tensor count flat', () => {
    const s = dmdLayerSettings({ quick: true });
    const d = { ...s.yinYang, trainSize: 200, valSize: 50, testSize: 50, epochs: 2 };
    const data = loadSplits('yin-yang', d);
    const before = tf.memory().numTensors;
    const rows = runSeed('yin-yang', data, d, s, 0);
    expect(tf.memory().numTensors).toBe(before);
    // hidden1: 1 delay; hidden2: 1 and 2 delays; two rank rules each
    expect(rows.map((r) => `${r.layer}/${r.delays}`)).toEqual(['hidden1/1', 'hidden1/1', 'hidden2/1', 'hidden2/1', 'hidden2/2', 'hidden2/2']);
  });

  it('quick mode writes summary.csv with the issue columns for both data sets and every hidden layer', () => {
    const out = mkdtempSync(join(tmpdir(), 'dmd-layer-'));
    const s = dmdLayerSettings({ quick: true, out });
    const { files } = runDmdLayerExperiment(s, 'test', tf.getBackend());
    for (const f of ['runs.csv', 'summary.csv', 'summary.md', 'accuracy-yin-yang.svg', 'accuracy-mnist.svg']) expect(existsSync(join(out, f))).toBe(true);
    expect(files.length).toBe(5);
    const text = readFileSync(join(out, 'summary.csv'), 'utf8');
    expect(text.split('\n')[0]).toBe(SUMMARY_COLUMNS.join(','));
    const rows = parseCsv(text);
    expect(rows.map((r) => `${r.dataset}/${r.layer}`)).toEqual(['yin-yang/hidden1', 'yin-yang/hidden2', 'mnist/hidden1', 'mnist/hidden2']);
    for (const r of rows) {
      const o = Number(r.original_acc);
      const a = Number(r.replaced_acc);
      expect(o).toBeGreaterThan(0.3); // better than chance (1/3, 1/10) after quick training
      expect(a).toBeGreaterThanOrEqual(0);
      expect(Number(r.loss)).toBeCloseTo(o - a, 5);
      expect(r.goal_met).toBe(Number(r.loss) <= Number(r.goal) + 1e-12 ? 'true' : 'false');
    }
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('quick mode: not a result');
  });
});
