import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { sobolevSettings } from '../experiments/sobolev/cli.js';
import { reconstruct, trainAndReconstruct, trainingFourierSeries } from '../experiments/sobolev/model.js';
import { noisySignal, relativeError } from '../experiments/sobolev/signal.js';
import { SUMMARY_COLUMNS, rewriteSobolevReport, runSobolevStudy } from '../experiments/sobolev/study.js';
import { realFourierCoefficients, synthesize } from '../src/losses/fft.js';
import { layerScales } from '../src/losses/sobolev.js';
import { parseCsv } from '../experiments/shared/report/csv-read.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the noisy multi-scale signal (seed 003, eq. 8)', () => {
  it('has noise of standard deviation ε·(max h − min h) and a 75/25 split', () => {
    const d = noisySignal(4096, 0.5, 0.75, 3);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of d.clean) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    expect(d.sigma).toBeCloseTo(0.5 * (hi - lo), 12);
    let ss = 0;
    d.noisy.forEach((v, j) => (ss += (v - d.clean[j]) ** 2));
    expect(Math.sqrt(ss / 4096) / d.sigma).toBeGreaterThan(0.95);
    expect(Math.sqrt(ss / 4096) / d.sigma).toBeLessThan(1.05);
    expect(d.train.length).toBe(3072);
    expect(new Set([...d.train, ...d.test]).size).toBe(4096);
    expect(d.clean[1]).toBeCloseTo(d.x[1] + Math.sin(2 * Math.PI * d.x[1] ** 4), 14);
  });
});

describe('reconstructions', () => {
  const s = { layers: 4, scale: 'linear' as const };
  it('the fourier reference on the whole clean grid is the FFT projection onto the shells', () => {
    const d = noisySignal(128, 0, 1, 1);
    const ref = trainingFourierSeries(d, s);
    const direct = synthesize(realFourierCoefficients(d.clean), layerScales(4, 'linear'), 128);
    ref.forEach((v, j) => expect(v).toBeCloseTo(direct[j], 10));
  });
  it('Sobolev loss 1 keeps each layer\'s own shell only', () => {
    const n = 64;
    const th = Array.from({ length: n }, (_, j) => j / n);
    const heads = [0, 1, 2, 3].map((k) => Float64Array.from(th, (t) => (k + 1) * Math.cos(2 * Math.PI * k * t) + Math.sin(2 * Math.PI * 11 * t)));
    const { reconstruction, components } = reconstruct('sobolev1', heads, s);
    expect(components).toHaveLength(4);
    th.forEach((t, j) => expect(reconstruction[j]).toBeCloseTo(1 + 2 * Math.cos(2 * Math.PI * t) + 3 * Math.cos(4 * Math.PI * t) + 4 * Math.cos(6 * Math.PI * t), 10));
    expect(reconstruct('l2', heads, s).reconstruction).toBe(heads[3]);
  });
  it('training leaves the tensor count flat and reduces the error against the data', async () => {
    await tf.setBackend('cpu');
    const settings = { ...sobolevSettings({ quick: true }), steps: 60 };
    const d = noisySignal(settings.points, 0.05, 0.75, 2);
    const before = tf.memory().numTensors;
    for (const loss of ['l2', 'sobolev1', 'sobolev2'] as const) {
      const r = await trainAndReconstruct(settings, d, loss, 2);
      expect(Number.isFinite(r.finalLoss)).toBe(true);
      expect(r.reconstruction).toHaveLength(settings.points);
    }
    expect(tf.memory().numTensors).toBe(before);
    // L² training moves the output towards the data: closer than the initial network's near-zero output
    const r = await trainAndReconstruct({ ...settings, steps: 100 }, d, 'l2', 2);
    expect(relativeError(r.output, d.clean)).toBeLessThan(0.8);
  });
});

describe('quick mode of the experiment', () => {
  it('writes runs, the summary and the plots', async () => {
    await tf.setBackend('cpu');
    const out = mkdtempSync(join(tmpdir(), 'sobolev-'));
    dirs.push(out);
    const s = { ...sobolevSettings({ quick: true }), noise: [0.5], steps: 60 };
    await runSobolevStudy(s, out, 'test', true);
    for (const f of ['runs.csv', 'summary.csv', 'summary.md', 'reconstruction-eps0.5.svg']) expect(existsSync(join(out, f))).toBe(true);
    const rows = parseCsv(readFileSync(join(out, 'summary.csv'), 'utf8'));
    expect(Object.keys(rows[0])).toEqual(SUMMARY_COLUMNS);
    expect(rows.map((r) => r.loss)).toEqual(['l2', 'sobolev1', 'sobolev2']);
    for (const r of rows) expect(Number(r.error_vs_clean)).toBeGreaterThan(0);
    const by = Object.fromEntries(rows.map((r) => [r.loss, Number(r.error_vs_clean)]));
    const verdict = by.sobolev1 < by.l2 ? 'met' : 'missed';
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain(`Goal "sobolev1 below l2 at every noise level": **${verdict}**`);
    const csv = readFileSync(join(out, 'summary.csv'), 'utf8');
    rewriteSobolevReport(s, out, 'x --report-only', true, 'cpu');
    expect(readFileSync(join(out, 'summary.csv'), 'utf8')).toBe(csv);
  });
  it('rejects bad flags by name', () => {
    expect(() => sobolevSettings({ steps: 0 })).toThrow(/--steps/);
    expect(() => sobolevSettings({ points: 8 })).toThrow(/--points/);
    expect(() => sobolevSettings({ lr: -1 })).toThrow(/--lr/);
  });
});
