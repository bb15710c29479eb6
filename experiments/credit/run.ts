import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { koopmanCredit, type KoopmanCreditResult } from '../../plugins/koopman-credit/index.js';
import { loadEmbeddedMnist } from '../shared/data/dataset.js';
import { writeCsv } from '../shared/report/index.js';
import { ablate, type AblationResult } from './ablation.js';
import { heatmapSvg, type HeatPanel } from './heatmap.js';
import { buildNetwork, inputSide, kernelLayers, networkInputs } from './models.js';
import type { CreditSettings, NetworkName } from './settings.js';
import { spearman } from './spearman.js';

/** The credits of one variant of the iteration and their agreement with the ablation. */
export interface VariantResult {
  /** 'renormalized' (iterates kept at the data's scale, the default) or 'paper-literal' (plain iteration). */
  variant: Variant;
  credit: KoopmanCreditResult | null;
  /** Why the credits could not be computed (the plain iteration can overflow), or null. */
  error: string | null;
  creditSeconds: number;
  /** Spearman(block log credit, block ablation drop). */
  layerSpearman: number;
  /** Same with the credit per kept direction (log geometric-mean singular value). */
  layerPerDirectionSpearman: number;
  /** Spearman(kernel credit, kernel ablation drop) per kernel layer. */
  kernelSpearman: Record<string, number>;
  /** The same two checks with the rise of the test cross-entropy as the importance (a secondary, less grainy measure). */
  layerLossSpearman: number;
  kernelLossSpearman: Record<string, number>;
}

export type Variant = 'renormalized' | 'paper-literal';
export const VARIANTS: readonly Variant[] = ['renormalized', 'paper-literal'];

export interface SeedResult {
  network: NetworkName;
  seed: number;
  testAccuracy: number;
  trainSeconds: number;
  ablation: AblationResult;
  /** One per {@link VARIANTS}, the primary (renormalized) first. */
  variants: VariantResult[];
}

/** Trains one network on the embedded digits, assigns the Koopman credits and runs the ablation check. */
export async function runSeed(network: NetworkName, seed: number, s: CreditSettings, log: (m: string) => void): Promise<SeedResult> {
  const data = loadEmbeddedMnist({ seed, trainSize: s.trainSize, testSize: s.testSize });
  const model = buildNetwork(network, seed);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const xTrain = networkInputs(network, data.trainImages, s.trainSize);
  const yTrain = tf.tensor1d(Float32Array.from(data.trainLabels), 'float32');
  const xTest = networkInputs(network, data.testImages, s.testSize);
  const labels = Int32Array.from(data.testLabels);
  const t0 = performance.now();
  await model.fit(xTrain, yTrain, { epochs: s.epochs[network], batchSize: 64, verbose: 0, shuffle: false }); // the seeded split is already shuffled; fit's own shuffle is Math.random
  const trainSeconds = (performance.now() - t0) / 1000;
  const testAccuracy = tf.tidy(() => {
    const p = (model.predict(xTest) as tf.Tensor).argMax(-1).dataSync();
    let ok = 0;
    for (let i = 0; i < labels.length; i++) if (p[i] === labels[i]) ok++;
    return ok / labels.length;
  });
  log(`${network} seed ${seed}: trained ${s.epochs[network]} epochs in ${trainSeconds.toFixed(1)} s, test accuracy ${(100 * testAccuracy).toFixed(2)}%`);
  const probe = tf.tidy(() => xTest.slice(0, s.creditInputs));
  const credits = VARIANTS.map((variant) => {
    const t1 = performance.now();
    try {
      const credit = koopmanCredit(model, probe, {
        components: s.components[network],
        repeats: s.repeats,
        seed,
        kernels: kernelLayers(network),
        renormalize: variant === 'renormalized',
      });
      const sec = (performance.now() - t1) / 1000;
      log(`${network} seed ${seed} (${variant}): credits in ${sec.toFixed(1)} s: ${credit.blocks.map((b) => `${b.name} ${b.logCredit.toFixed(2)}`).join(', ')}`);
      return { variant, credit, error: null, creditSeconds: sec };
    } catch (err) {
      log(`${network} seed ${seed} (${variant}): no credits: ${(err as Error).message}`);
      return { variant, credit: null, error: (err as Error).message, creditSeconds: (performance.now() - t1) / 1000 };
    }
  });
  const blocksForAblation = (credits.find((c) => c.credit)?.credit?.blocks ?? []) as { name: string; layers: string[] }[];
  const ablation = ablate(model, xTest, labels, blocksForAblation, kernelLayers(network), s.ablationFraction, s.ablationDraws, seed);
  const variants: VariantResult[] = credits.map((c) => {
    if (!c.credit) return { ...c, layerSpearman: NaN, layerPerDirectionSpearman: NaN, kernelSpearman: {}, layerLossSpearman: NaN, kernelLossSpearman: {} };
    const credit = c.credit;
    const kernelSpearman: Record<string, number> = {};
    const kernelLossSpearman: Record<string, number> = {};
    for (const k of ablation.kernels) {
      const block = credit.blocks.find((b) => b.kernels?.layer === k.layer);
      if (!block?.kernels) throw new Error(`no kernel credits for ${k.layer}`);
      kernelSpearman[k.layer] = spearman(block.kernels.credits.map((x) => x.logCredit), k.drops);
      kernelLossSpearman[k.layer] = spearman(block.kernels.credits.map((x) => x.logCredit), k.lossRises);
    }
    const v: VariantResult = {
      ...c,
      credit,
      layerSpearman: spearman(credit.blocks.map((b) => b.logCredit), ablation.blocks.map((b) => b.drop)),
      layerPerDirectionSpearman: spearman(credit.blocks.map((b) => b.logCreditPerDirection), ablation.blocks.map((b) => b.drop)),
      kernelSpearman,
      layerLossSpearman: spearman(credit.blocks.map((b) => b.logCredit), ablation.blocks.map((b) => b.lossRise)),
      kernelLossSpearman,
    };
    log(
      `${network} seed ${seed} (${c.variant}): spearman layers ${v.layerSpearman.toFixed(3)} (per direction ${v.layerPerDirectionSpearman.toFixed(3)}), kernels ${Object.entries(kernelSpearman)
        .map(([k, x]) => `${k} ${x.toFixed(3)}`)
        .join(', ')}`,
    );
    return v;
  });
  if (variants[0].credit) writeHeatmaps(network, seed, variants[0].credit, labels, xTest, s);
  probe.dispose();
  xTrain.dispose();
  yTrain.dispose();
  xTest.dispose();
  model.dispose();
  return { network, seed, testAccuracy, trainSeconds, ablation, variants };
}

/** Fig. 4b: input, the weight of each pixel in the predicted class's row of K, and weight × (input − mean). */
function writeHeatmaps(network: NetworkName, seed: number, credit: KoopmanCreditResult, labels: Int32Array, x: tf.Tensor, s: CreditSettings): void {
  const side = inputSide(network);
  const n = side * side;
  const flat = tf.tidy(() => x.slice(0, s.heatmapSamples).reshape([s.heatmapSamples, n]).dataSync());
  const mean = credit.bases[0].mean;
  const K = credit.featureWeights;
  const rows: HeatPanel[][] = [];
  for (let i = 0; i < s.heatmapSamples; i++) {
    const xi = flat.subarray(i * n, (i + 1) * n);
    // the class the composed operator predicts
    let best = 0;
    let bestV = -Infinity;
    for (let c = 0; c < K.rows; c++) {
      let v = 0;
      for (let j = 0; j < n; j++) v += K.data[c * n + j] * (xi[j] - mean[j]);
      if (v > bestV) [best, bestV] = [c, v];
    }
    const w = K.data.subarray(best * n, (best + 1) * n);
    rows.push([
      { title: `input (label ${labels[i]})`, values: xi, side, scale: 'grey' },
      { title: `K row ${best}`, values: w, side, scale: 'diverging' },
      { title: `K row ${best} × (x − μ)`, values: Array.from(w, (v, j) => v * (xi[j] - mean[j])), side, scale: 'diverging' },
    ]);
  }
  mkdirSync(s.out, { recursive: true });
  writeFileSync(join(s.out, `feature-weights-${network}-seed${seed}.svg`), heatmapSvg(rows, `${network}, seed ${seed}: feature weights of the composed Koopman operator (red +, blue −)`));
}

export function layerRows(r: SeedResult): Record<string, unknown>[] {
  return r.variants.flatMap((v) =>
    (v.credit?.blocks ?? []).map((b, i) => ({
      network: r.network,
      seed: r.seed,
      variant: v.variant,
      block: b.name,
      kind: b.kind,
      layers: b.layers.join('+'),
      in_dim: b.inDim,
      out_dim: b.outDim,
      reduced_in: b.reducedIn,
      reduced_out: b.reducedOut,
      type: b.type,
      steps: b.steps,
      repeats: b.repeats,
      draws: b.draws,
      rejected: b.rejected,
      alignment_condition: b.alignmentCondition,
      fit_rank: b.fitRank,
      fit_condition: b.fitCondition,
      fit_residual: b.fitResidual,
      growth: b.growth,
      decay: b.decay,
      log_credit: b.logCredit,
      rank: b.rank,
      order: b.order,
      log_credit_per_direction: b.logCreditPerDirection,
      share: b.share,
      log_sensitivity: b.logSensitivity,
      ablation_drop: r.ablation.blocks[i].drop,
      ablation_drop_all: r.ablation.blocks[i].dropAll,
      ablation_loss_rise: r.ablation.blocks[i].lossRise,
    })),
  );
}

export function kernelRows(r: SeedResult): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const v of r.variants) {
    for (const k of r.ablation.kernels) {
      const block = v.credit?.blocks.find((b) => b.kernels?.layer === k.layer);
      block?.kernels?.credits.forEach((c, i) =>
        out.push({ network: r.network, seed: r.seed, variant: v.variant, layer: k.layer, kernel: c.channel, log_credit: c.logCredit, rank: c.rank, ablation_drop: k.drops[i], ablation_loss_rise: k.lossRises[i] }),
      );
    }
  }
  return out;
}

export function seedRows(rs: SeedResult[]): Record<string, unknown>[] {
  return rs.flatMap((r) =>
    r.variants.map((v) => ({
      network: r.network,
      seed: r.seed,
      variant: v.variant,
      test_accuracy: r.testAccuracy,
      train_seconds: r.trainSeconds,
      credit_seconds: v.creditSeconds,
      credit_ablation_spearman: v.layerSpearman,
      per_direction_ablation_spearman: v.layerPerDirectionSpearman,
      ...Object.fromEntries(Object.entries(v.kernelSpearman).map(([k, x]) => [`kernel_spearman_${k}`, x])),
      credit_loss_spearman: v.layerLossSpearman,
      ...Object.fromEntries(Object.entries(v.kernelLossSpearman).map(([k, x]) => [`kernel_loss_spearman_${k}`, x])),
      error: v.error ?? '',
    })),
  );
}

export function writeTables(out: string, rs: SeedResult[]): string[] {
  const files = ['layer-credits.csv', 'kernel-credits.csv'];
  writeCsv(join(out, files[0]), rs.flatMap(layerRows));
  writeCsv(join(out, files[1]), rs.flatMap(kernelRows));
  for (const net of new Set(rs.map((r) => r.network))) {
    const f = `seeds-${net}.csv`;
    writeCsv(join(out, f), seedRows(rs.filter((r) => r.network === net)));
    files.push(f);
  }
  return files;
}
