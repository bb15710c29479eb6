import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { readWeights, writeWeights } from '../src/tfjs/weights.js';
import { loadDataset } from '../experiments/shared/data/dataset.js';
import { prepareTensors } from '../experiments/shared/data/split.js';
import { buildMlp } from '../experiments/shared/mlp.js';
import { evaluate } from '../experiments/shared/train.js';
import { svgPlot } from '../experiments/shared/report/svg.js';
import { targetLoss, timeToTarget } from '../experiments/shared/target.js';
import { runDemo, type DemoResult } from '../experiments/demo/demo.js';
import { emaDecay, resolveDemoSettings } from '../experiments/demo/settings.js';

describe('the demo (npm start)', () => {
  it('rejects an unknown option by name and a run too short for the target', () => {
    expect(() => resolveDemoSettings({ epoch: 3 } as never)).toThrow(/unknown option 'epoch'/);
    expect(() => resolveDemoSettings({ epochs: 2 })).toThrow(/epochs must be ≥ 3/);
    expect(() => resolveDemoSettings({ backend: 'gpu' })).toThrow(/backend must be one of/);
  });

  it('times a loss curve to its target by linear interpolation', () => {
    expect(targetLoss([5, 4, 3, 2, 1])).toBe(2);
    // 0.75 lies a quarter of the way from 1 (t = 10) down to 0 (t = 14)
    expect(timeToTarget([2, 1, 0, 0.5], [0, 10, 14, 20], 0.75)).toBeCloseTo(11, 12);
    expect(timeToTarget([2, 1, 0.5], [0, 10, 20], 1)).toBe(10);
    expect(timeToTarget([2, 1, 0.5], [0, 10, 20], 0.1)).toBeNaN();
  });

  it('svgPlot draws a horizontal line at its y and clips lines to a fixed y range', () => {
    const svg = svgPlot([{ name: 'a', x: [0, 1], y: [2, 0] }], { title: 't', xLabel: 'x', yLabel: 'y', yRange: [0, 1], hLines: [{ y: 0.5, label: 'half' }] });
    // frame from y = 36 (top margin) to 350 (400 − 50): 0.5 is its middle, 193; y = 2 lies one frame height above the top
    expect(svg).toContain('<line x1="70" y1="193" x2="');
    expect(svg).toMatch(/<path d="M70\.0,-278\.0L[0-9.]+,350\.0" fill="none" stroke="#1f77b4" stroke-width="1\.5" clip-path="url\(#plot-area\)"\/>/);
    expect(svg).toContain('<clipPath id="plot-area">');
  });

  describe('a tiny race', () => {
    const epochs = 3;
    // 34 steps an epoch: the auto schedule's window (33 snapshots, one a step) fits, and it may decide at steps 68 and 102
    const stepsPerEpoch = 34;
    const out = join(tmpdir(), `demo-test-${process.pid}`);
    let result: DemoResult;
    /** The raw weights after every optimizer step of the EMA run, read by a callback of the test. */
    const raw: Float32Array[] = [];
    let tensorsBefore = 0;
    let tensorsAfter = 0;

    beforeAll(async () => {
      await selectBackend('wasm');
      rmSync(out, { recursive: true, force: true });
      const recorder = new (class extends tf.Callback {
        override async onBatchEnd() {
          raw.push(readWeights(this.model as tf.LayersModel));
        }
      })();
      tensorsBefore = tf.memory().numTensors;
      result = await runDemo({ epochs, stepsPerEpoch, out, backend: 'wasm', print: false }, { callbacks: (m) => (m === 'ema' ? [recorder] : []) });
      tensorsAfter = tf.memory().numTensors;
    });

    it('starts the three runs from identical weights and trains them on the same batches', () => {
      const [plain, ema, kt] = result.runs;
      expect(result.runs.map((r) => r.method)).toEqual(['plain', 'ema', 'koopman']);
      expect(plain.initialWeights.length).toBe(784 * 20 + 20 + 2 * (20 * 20 + 20) + 20 * 10 + 10);
      expect(Buffer.from(ema.initialWeights.buffer).equals(Buffer.from(plain.initialWeights.buffer))).toBe(true);
      expect(Buffer.from(kt.initialWeights.buffer).equals(Buffer.from(plain.initialWeights.buffer))).toBe(true);
      // the plugin changes nothing before its first decision (end of epoch 2): same data order ⇒ the same loss after epoch 1
      expect(kt.testLoss[1]).toBe(plain.testLoss[1]);
      expect(raw.length).toBe(epochs * stepsPerEpoch);
    });

    it("reports plain's time to the target as read off the plain curve", () => {
      const plain = result.runs[0];
      const last = plain.testLoss.slice(-3);
      const target = (last[0] + last[1] + last[2]) / 3;
      expect(result.summary.target).toBeCloseTo(target, 12);
      // independent reading: the first epoch at or below the target, interpolated from the one before
      const e = plain.testLoss.findIndex((l, i) => i > 0 && l <= target);
      expect(e).toBeGreaterThan(0);
      const [l0, l1] = [plain.testLoss[e - 1], plain.testLoss[e]];
      const [t0, t1] = [plain.wallS[e - 1], plain.wallS[e]];
      const expected = t0 + ((l0 - target) / (l0 - l1)) * (t1 - t0);
      const row = result.summary.methods[0];
      expect(row.timeToTargetS).toBeCloseTo(expected, 9);
      expect(row.speedup).toBe(1);
      // the same reading in optimizer steps: epoch e ends after e · stepsPerEpoch steps
      expect(row.stepsToTarget).toBeCloseTo((e - 1 + (l0 - target) / (l0 - l1)) * stepsPerEpoch, 9);
      expect(result.text.split('\n')[2]).toMatch(new RegExp(`^optimizer steps to the target +${row.stepsToTarget.toFixed(0)} `));
      const headline = result.text.split('\n')[1];
      expect(headline).toContain(`time to the target loss ${target.toFixed(4)} (s)`);
      expect(headline).toContain(`${expected.toFixed(1)} (1.00× plain)`);
      // wall times exclude the report's evaluations, which were timed
      expect(plain.evalS).toBeGreaterThan(0);
      expect(plain.wallS.every((w, i) => i === 0 || w > plain.wallS[i - 1])).toBe(true);
    });

    it('scores the EMA run on the averaged weights (an average computed here from the raw steps)', () => {
      const ema = result.runs[1];
      const d = emaDecay({ emaShare: result.settings.emaShare, epochs, stepsPerEpoch });
      expect(ema.emaDecay).toBe(d);
      const avg = Float64Array.from(ema.initialWeights);
      for (const w of raw) for (let i = 0; i < avg.length; i++) avg[i] = d * avg[i] + (1 - d) * w[i];
      let maxDiff = 0;
      for (let i = 0; i < avg.length; i++) maxDiff = Math.max(maxDiff, Math.abs(avg[i] - ema.finalWeights[i]));
      expect(maxDiff).toBeLessThan(1e-5);
      // the test loss of that independent average is the run's final score; the raw weights score differently
      const ds = loadDataset({ dataset: 'mnist', seed: 0 });
      const data = prepareTensors(ds, stepsPerEpoch, 64, 1000, 0);
      const model = buildMlp(0);
      writeWeights(model, avg);
      const lossAvg = evaluate(model, data.xTest, data.yTest).loss;
      writeWeights(model, raw[raw.length - 1]);
      const lossRaw = evaluate(model, data.xTest, data.yTest).loss;
      model.dispose();
      data.dispose();
      const final = ema.testLoss[ema.testLoss.length - 1];
      expect(Math.abs(lossAvg - final)).toBeLessThan(1e-5);
      expect(Math.abs(lossRaw - final)).toBeGreaterThan(1e-3);
    });

    it("states the plugin's decisions as its report has them", () => {
      const kt = result.runs[2];
      const rep = kt.report!;
      const row = result.summary.methods[2];
      expect(row.tried + row.abandoned).toBe(rep.jumps.length);
      expect(row.abandoned).toBe(rep.jumps.filter((j) => j.projectedMs !== undefined).length);
      expect(row.accepted).toBe(rep.jumps.filter((j) => j.accepted).length);
      expect(row.skippedSteps).toBe(rep.jumps.filter((j) => j.accepted).reduce((a, j) => a + j.horizon, 0));
      expect(row.fitS).toBeCloseTo(rep.jumps.reduce((a, j) => a + j.fitMs, 0) / 1000, 9);
      expect(row.budgetSkips).toBe(rep.budgetSkips);
      expect(row.tried + row.abandoned + row.budgetSkips).toBe(2);
      expect(result.text).toContain(`${row.accepted} / ${row.tried}${row.abandoned > 0 ? ` (${row.abandoned} abandoned for the budget)` : ''}`);
      expect(result.text).toContain(`a snapshot every step (33 per decision); a decision every 34 steps from step 68`);
      expect(result.text).toContain(`${rep.budgetSkips} decision${rep.budgetSkips === 1 ? '' : 's'} skipped for the budget`);
    });

    it('leaks no tensor', () => {
      for (const r of result.runs) expect(r.tensorDelta).toBe(0);
      expect(tensorsAfter).toBe(tensorsBefore);
    });

    it('plots test loss against wall time: labelled axes, three series and the target line', () => {
      const svg = readFileSync(result.files.plot, 'utf8');
      expect(result.files.plot).toBe(join(out, 'loss-vs-wall-time.svg'));
      expect(svg).toContain('training wall-clock time (s)');
      expect(svg).toContain('test loss (cross-entropy)');
      expect(svg.match(/<path /g)?.length).toBe(3);
      for (const name of ['plain Adam', 'Adam + EMA', 'Adam + koopmanTraining']) expect(svg).toContain(`>${name}</text>`);
      expect(svg).toContain(`target ${result.summary.target.toFixed(4)}`);
      expect(readFileSync(result.files.table, 'utf8')).toContain(result.text);
      rmSync(out, { recursive: true, force: true });
    });
  });
});
