import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { creditSettings } from '../experiments/credit/cli.js';
import { runCreditExperiment } from '../experiments/credit/experiment.js';
import { ranks, spearman } from '../experiments/credit/spearman.js';
import { selectBackend } from '../src/backend/index.js';
import { readCsv } from '../experiments/shared/report/index.js';

describe('spearman', () => {
  it('is 1 for a monotone relation, −1 for a reversed one, and averages tied ranks', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 25, 100])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(ranks([5, 1, 5, 2])).toEqual([3.5, 1, 3.5, 2]);
    // no ties: ρ = 1 − 6Σd²/(n(n² − 1)), here Σd² = 4
    expect(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])).toBeCloseTo(1 - (6 * 4) / (5 * 24), 12);
    expect(Number.isNaN(spearman([1, 1, 1], [1, 2, 3]))).toBe(true);
  });
});

describe('credit experiment (quick mode)', () => {
  it('trains both networks on wasm, credits them, ablates them, and writes the tables and the summary', async () => {
    const b = await selectBackend('wasm');
    const out = mkdtempSync(join(tmpdir(), 'credit-'));
    const s = creditSettings({ quick: true, out });
    const { results, files } = await runCreditExperiment(s, 'test', b.name, () => undefined);
    expect(results.map((r) => r.network)).toEqual(['lenet5', 'n2-mlp']);
    for (const f of files) expect(existsSync(join(out, f))).toBe(true);
    const summary = readCsv(join(out, 'summary.csv'));
    expect(Object.keys(summary[0]).slice(0, 4)).toEqual(['network', 'seeds', 'credit_ablation_spearman', 'kernel_ablation_spearman']);
    expect(summary.map((r) => r.network)).toEqual(['lenet5', 'n2-mlp']);
    const lenet = results[0];
    expect(lenet.variants.map((v) => v.variant)).toEqual(['renormalized', 'paper-literal']);
    const credit = lenet.variants[0].credit;
    if (!credit) throw new Error(String(lenet.variants[0].error));
    // LeNet-5: conv1, pool1, conv2, pool2(+flatten), dense1, dense2, dense3; 6 + 16 kernel credits
    expect(credit.blocks.map((x) => x.name)).toEqual(['conv1', 'pool1', 'conv2', 'pool2', 'dense1', 'dense2', 'dense3']);
    expect(credit.blocks.map((x) => x.kind)).toEqual(['conv', 'pool', 'conv', 'pool', 'dense', 'dense', 'dense']);
    expect(lenet.ablation.kernels.map((k) => k.drops.length)).toEqual([6, 16]);
    expect(credit.featureWeights.cols).toBe(784);
    // the whole-block knockout leaves a constant signal: the network then predicts one class for
    // every image, so its accuracy is the share of some class among the test labels
    const { loadEmbeddedMnist } = await import('../experiments/shared/data/dataset.js');
    const labels = loadEmbeddedMnist({ seed: 0, trainSize: s.trainSize, testSize: s.testSize }).testLabels;
    const shares = Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length / labels.length);
    for (const x of lenet.ablation.blocks) {
      const acc = lenet.ablation.baseline - x.dropAll;
      expect(Math.min(...shares.map((f) => Math.abs(f - acc)))).toBeLessThan(1e-9);
    }
    const n2 = results[1];
    expect(n2.variants[0].credit?.blocks.map((x) => [x.inDim, x.outDim])).toEqual([
      [81, 128],
      [128, 64],
      [64, 24],
      [24, 10],
    ]);
    expect(n2.ablation.kernels[0].drops.length).toBe(128);
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md).toContain('paper: conv > dense > pool');
    expect(existsSync(join(out, 'feature-weights-n2-mlp-seed0.svg'))).toBe(true);
  });
});
