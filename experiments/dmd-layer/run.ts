import * as tf from '@tensorflow/tfjs';
import { loadEmbeddedMnist } from '../shared/data/dataset.js';
import { IMAGE_SIZE } from '../shared/data/dataset.js';
import type { RankRule } from '../../src/linalg/rank.js';
import { dmdLayer } from '../../plugins/dmd-layer/index.js';
import { accuracy, buildClassifier, trainClassifier, type Split } from './model.js';
import type { DatasetSettings, DmdLayerDataset, DmdLayerSettings } from './settings.js';
import { yinYangSet } from './yin-yang.js';

/** One replacement: a layer of one trained network, with one number of delays and one rank rule. */
export interface ReplacementRow {
  dataset: DmdLayerDataset;
  seed: number;
  layer: string;
  delays: number;
  rank_rule: string;
  rank: number;
  original_val_acc: number;
  original_acc: number;
  replaced_val_acc: number;
  replaced_acc: number;
  reconstruction_error: number;
  condition: number;
  spectral_radius: number;
  /** The largest singular values, ';'-separated (the first 5). */
  singular_values: string;
  fit_ms: number;
}

export interface DataSplits {
  train: Split;
  val: Split;
  test: Split;
  classes: number;
  source: string;
}

/**
 * The data of one data set. Yin-Yang: the published construction with the published set sizes
 * and seeds (train 42, validation 41, test 40; mulberry32, not NumPy). MNIST: the embedded digits,
 * split seed 0, the last `valSize` training digits held out for validation.
 */
export function loadSplits(dataset: DmdLayerDataset, s: DatasetSettings): DataSplits {
  if (dataset === 'yin-yang') {
    const mk = (n: number, seed: number): Split => ({ ...yinYangSet(n, seed), width: 4 });
    return { train: mk(s.trainSize, 42), val: mk(s.valSize, 41), test: mk(s.testSize, 40), classes: 3, source: 'Yin-Yang (Kriener et al. 2021 construction; seeds 42/41/40)' };
  }
  const d = loadEmbeddedMnist({ seed: 0, trainSize: s.trainSize + s.valSize, testSize: s.testSize });
  const cut = (images: Float32Array, labels: Uint8Array, from: number, to: number): Split => ({
    inputs: images.slice(from * IMAGE_SIZE, to * IMAGE_SIZE),
    labels: labels.slice(from, to),
    width: IMAGE_SIZE,
  });
  return {
    train: cut(d.trainImages, d.trainLabels, 0, s.trainSize),
    val: cut(d.trainImages, d.trainLabels, s.trainSize, s.trainSize + s.valSize),
    test: cut(d.testImages, d.testLabels, 0, s.testSize),
    classes: 10,
    source: d.source,
  };
}

/**
 * Trains one network and replaces every hidden layer in turn, for every number of delays
 * 1 … min(position, maxDelays) and every rank rule; the DMD is fitted on the training inputs.
 */
export function runSeed(
  dataset: DmdLayerDataset,
  data: DataSplits,
  s: DatasetSettings,
  settings: Pick<DmdLayerSettings, 'ranks' | 'maxDelays'>,
  seed: number,
  onRow: (row: ReplacementRow) => void = () => undefined,
): ReplacementRow[] {
  const model = buildClassifier(data.train.width, s.hidden, data.classes, seed);
  trainClassifier(model, data.train, data.classes, { epochs: s.epochs, batchSize: s.batchSize, learningRate: s.learningRate, seed });
  const originalVal = accuracy(model, data.val);
  const original = accuracy(model, data.test);
  const fitX = tf.tensor2d(data.train.inputs, [data.train.labels.length, data.train.width]);
  const rows: ReplacementRow[] = [];
  try {
    s.hidden.forEach((_, h) => {
      const layer = `hidden${h + 1}`;
      for (let delays = 1; delays <= Math.min(h + 1, settings.maxDelays); delays++) {
        for (const rank of settings.ranks) {
          const row = replaceOnce(model, layer, fitX, delays, rank, data, dataset, seed, originalVal, original);
          rows.push(row);
          onRow(row);
        }
      }
    });
  } finally {
    fitX.dispose();
    model.dispose();
  }
  return rows;
}

function replaceOnce(
  model: tf.LayersModel,
  layer: string,
  fitX: tf.Tensor2D,
  delays: number,
  rank: RankRule,
  data: DataSplits,
  dataset: DmdLayerDataset,
  seed: number,
  originalVal: number,
  original: number,
): ReplacementRow {
  const { model: replaced, report } = dmdLayer(model, layer, fitX, { delays, rank });
  try {
    return {
      dataset,
      seed,
      layer,
      delays,
      rank_rule: String(rank),
      rank: report.rank,
      original_val_acc: originalVal,
      original_acc: original,
      replaced_val_acc: accuracy(replaced, data.val),
      replaced_acc: accuracy(replaced, data.test),
      reconstruction_error: report.reconstructionError,
      condition: report.condition,
      spectral_radius: report.spectralRadius,
      singular_values: report.singularValues.slice(0, 5).map((v) => v.toPrecision(4)).join(';'),
      fit_ms: report.ms,
    };
  } finally {
    replaced.dispose();
  }
}
