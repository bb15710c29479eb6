import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../experiments/shared/report/index.js';
import { kannSettingsFromArgs } from '../experiments/kann/cli.js';
import { runKann } from '../experiments/kann/run.js';
import { SUMMARY_COLUMNS } from '../experiments/kann/summary.js';
import { copyData, sentimentData } from '../experiments/kann/data.js';
import { beatData } from '../experiments/kann/beats.js';

describe('KANN experiment data', () => {
  it('copy problem: symbols, delimiter and the delayed target (Arjovsky et al. layout)', () => {
    const d = copyData(3, 4, 5, 8, 1);
    expect(d.steps).toBe(13);
    for (let s = 0; s < 3; s++) {
      const tok = Array.from(d.tokens.subarray(s * 13, (s + 1) * 13));
      const tgt = Array.from(d.targets.subarray(s * 13, (s + 1) * 13));
      expect(tok.slice(0, 4).every((v) => v >= 1 && v <= 8)).toBe(true);
      expect(tok[8]).toBe(9); // delimiter at delay + copyLength − 1
      expect(tok.filter((v) => v === 9).length).toBe(1);
      expect(tgt.slice(9)).toEqual(tok.slice(0, 4));
      expect(tgt.slice(0, 9).every((v) => v === 0)).toBe(true);
    }
  });

  it('sentiment labels are the sign of the count with "not" flipping the next word; reviews are pre-padded', () => {
    const d = sentimentData(200, 20, 0.3, 0.1, 2, 8);
    for (let s = 0; s < d.samples; s++) {
      const kinds = Array.from(d.tokens.subarray(s * 20, (s + 1) * 20), (t) => d.kinds[t]);
      const pads = 20 - d.lengths[s];
      expect(d.lengths[s]).toBeGreaterThanOrEqual(8);
      expect(kinds.slice(0, pads).every((k) => k === 'pad')).toBe(true);
      expect(kinds.slice(pads).includes('pad')).toBe(false);
      let score = 0;
      for (let t = 0; t < 20; t++) {
        const kind = d.kinds[d.tokens[s * 20 + t]];
        const flip = t > 0 && d.kinds[d.tokens[s * 20 + t - 1]] === 'negation' ? -1 : 1;
        if (kind === 'positive') score += flip;
        if (kind === 'negative') score -= flip;
      }
      expect(score).toBe(d.scores[s]);
      expect(d.y[s]).toBe(score > 0 ? 1 : 0);
      expect(score).not.toBe(0);
    }
  });

  it('beats are z-normalised and anomalies differ from normal beats', () => {
    const n = beatData(20, 80, ['normal'], 3);
    for (let s = 0; s < 20; s++) {
      const v = Array.from(n.x.subarray(s * 80, (s + 1) * 80));
      const mean = v.reduce((a, b) => a + b, 0) / 80;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / 80);
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(Math.abs(sd - 1)).toBeLessThan(1e-5);
    }
    const w = beatData(20, 80, ['widened'], 3);
    expect(w.kinds.every((k) => k === 'widened')).toBe(true);
    // same seed, same jitter: the widened QRS changes the signal
    expect(Array.from(w.x).some((v, i) => Math.abs(v - n.x[i]) > 0.1)).toBe(true);
  });
});

describe('tfjs-koopman experiment kann --quick', () => {
  it('writes summary.csv with the three tasks, the SVG plots, and leaks no tensors', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kann-'));
    const s = kannSettingsFromArgs({ quick: true, out, backend: 'cpu' });
    const before = tf.memory().numTensors;
    const { results, summaryPath } = await runKann(s, 'test');
    expect(tf.memory().numTensors).toBe(before);
    const rows = readCsv(join(out, 'summary.csv'));
    expect(Object.keys(rows[0])).toEqual([...SUMMARY_COLUMNS]);
    expect(rows.map((r) => r.task)).toEqual(['copy', 'sentiment', 'beats']);
    for (const r of results) {
      expect(r.agreement).toBeGreaterThanOrEqual(0);
      expect(r.agreement).toBeLessThanOrEqual(1);
      expect(Number.isFinite(r.eRel) && r.eRel >= 0).toBe(true);
      expect(r.rank).toBeLessThanOrEqual(r.dim);
      for (const f of r.files) expect(readFileSync(join(out, f), 'utf8').startsWith('<svg')).toBe(true);
    }
    const md = readFileSync(summaryPath, 'utf8');
    expect(md).toContain('cannot be downloaded here');
    expect(md).toContain('| sentiment |');
  });
});
