import * as tf from '@tensorflow/tfjs';
import type { Dataset } from './dataset.js';
import { mulberry32 } from '../../../src/linalg/random.js';

export interface MnistTensors {
  /** Training inputs tiled/shuffled to exactly stepsPerEpoch × batchSize samples (one epoch of fit()). */
  x: tf.Tensor2D;
  y: tf.Tensor2D;
  /** Held-out part of the training set, used by the guard (never the test set). */
  xVal: tf.Tensor2D;
  yVal: tf.Tensor2D;
  xTest: tf.Tensor2D;
  yTest: tf.Tensor2D;
  /** A fixed subset (up to 10 000) of the training samples fit() trains on: the training-loss observable. */
  xTrainEval: tf.Tensor2D;
  yTrainEval: tf.Tensor2D;
  dispose(): void;
}

export { mulberry32 };

/** Training samples on which the training loss is evaluated (the first of the seeded order, never the held-out ones). */
export const TRAIN_EVAL_SIZE = 10_000;

/**
 * Splits off `valSize` training samples for the guard, and builds one epoch of exactly
 * `stepsPerEpoch · batchSize` samples from the rest (repeated in a seeded order when the set is
 * smaller, as the paper's 938 iterations per epoch require with 8 000 samples).
 */
export function prepareTensors(ds: Dataset, stepsPerEpoch: number, batchSize: number, valSize: number, seed: number): MnistTensors {
  const nTrain = ds.trainLabels.length;
  if (valSize >= nTrain) throw new Error(`valSize ${valSize} must be smaller than the ${nTrain} training samples`);
  const rand = mulberry32(seed + 12345);
  const order = Array.from({ length: nTrain }, (_, i) => i);
  shuffle(order, rand);
  const valIdx = order.slice(0, valSize);
  const trainIdx = order.slice(valSize);
  const need = stepsPerEpoch * batchSize;
  const epochIdx: number[] = [];
  while (epochIdx.length < need) {
    const pass = trainIdx.slice();
    shuffle(pass, rand);
    epochIdx.push(...pass.slice(0, need - epochIdx.length));
  }
  const take = (idx: number[], images: Float32Array, labels: Uint8Array) => {
    const xs = new Float32Array(idx.length * 784);
    const ys = new Float32Array(idx.length * 10);
    idx.forEach((s, i) => {
      xs.set(images.subarray(s * 784, s * 784 + 784), i * 784);
      ys[i * 10 + labels[s]] = 1;
    });
    return [tf.tensor2d(xs, [idx.length, 784]), tf.tensor2d(ys, [idx.length, 10])] as const;
  };
  const [x, y] = take(epochIdx, ds.trainImages, ds.trainLabels);
  const [xVal, yVal] = take(valIdx, ds.trainImages, ds.trainLabels);
  const testIdx = Array.from({ length: ds.testLabels.length }, (_, i) => i);
  const [xTest, yTest] = take(testIdx, ds.testImages, ds.testLabels);
  const [xTrainEval, yTrainEval] = take(trainIdx.slice(0, TRAIN_EVAL_SIZE), ds.trainImages, ds.trainLabels);
  return {
    x,
    y,
    xVal,
    yVal,
    xTest,
    yTest,
    xTrainEval,
    yTrainEval,
    dispose: () => tf.dispose([x, y, xVal, yVal, xTest, yTest, xTrainEval, yTrainEval]),
  };
}

function shuffle<T>(a: T[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}
