import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIDE, IMAGE_SIZE, type Dataset } from '../shared/data/index.js';
import { mulberry32 } from '../shared/data/split.js';
import type { StudyModel } from './model.js';

/** Sizes of the study's splits (all drawn from the training part of the data set except `test`). */
export interface SplitSizes {
  /** Training samples seen per epoch, drawn in order from seeded passes over the training pool. */
  epochSize: number;
  /** Fixed subset of the training pool on which the training loss observable L_tr(w_t) is evaluated. */
  trainEvalSize: number;
  /** Held-out training samples (never trained on) whose loss drives early stopping and the monitor. */
  valSize: number;
  /** Test samples (the data set's test part) for the reported test loss. */
  testSize: number;
}

/** The tensors of one study; the training pool is sampled per epoch by {@link epochBatch}. */
export interface StudyTensors {
  pool: { x: tf.Tensor; y: tf.Tensor2D; size: number };
  trainEval: { x: tf.Tensor; y: tf.Tensor2D };
  val: { x: tf.Tensor; y: tf.Tensor2D };
  test: { x: tf.Tensor; y: tf.Tensor2D };
  sizes: SplitSizes;
  dispose(): void;
}

/**
 * Splits the data set: `valSize` training samples are held out for validation, the rest is the
 * training pool (its first `trainEvalSize` samples in the seeded order also serve to evaluate the
 * training loss); the test part is cut to `testSize`. Images are N×784 for dense models and
 * N×28×28×1 for the CNN. The split depends on `splitSeed` only, so every run sees the same sets.
 */
export function prepareStudyTensors(ds: Dataset, sizes: SplitSizes, model: StudyModel, splitSeed = 0): StudyTensors {
  const nTrain = ds.trainLabels.length;
  if (sizes.valSize >= nTrain) throw new Error(`valSize ${sizes.valSize} must be smaller than the ${nTrain} training samples`);
  const order = permutation(nTrain, mulberry32(splitSeed + 4242));
  const valIdx = order.slice(0, sizes.valSize);
  const poolIdx = order.slice(sizes.valSize);
  if (sizes.trainEvalSize > poolIdx.length) throw new Error(`trainEvalSize ${sizes.trainEvalSize} exceeds the ${poolIdx.length}-sample training pool`);
  if (sizes.epochSize > poolIdx.length) throw new Error(`epochSize ${sizes.epochSize} exceeds the ${poolIdx.length}-sample training pool`);
  const testIdx = Array.from({ length: Math.min(sizes.testSize, ds.testLabels.length) }, (_, i) => i);
  const shape = (n: number): number[] => (model === 'cnn' ? [n, IMAGE_SIDE, IMAGE_SIDE, 1] : [n, IMAGE_SIZE]);
  const take = (idx: number[], images: Float32Array, labels: Uint8Array) => {
    const xs = new Float32Array(idx.length * IMAGE_SIZE);
    const ys = new Float32Array(idx.length * 10);
    idx.forEach((s, i) => {
      xs.set(images.subarray(s * IMAGE_SIZE, (s + 1) * IMAGE_SIZE), i * IMAGE_SIZE);
      ys[i * 10 + labels[s]] = 1;
    });
    return { x: tf.tensor(xs, shape(idx.length)), y: tf.tensor2d(ys, [idx.length, 10]) };
  };
  const pool = take(poolIdx, ds.trainImages, ds.trainLabels);
  const trainEval = take(poolIdx.slice(0, sizes.trainEvalSize), ds.trainImages, ds.trainLabels);
  const val = take(valIdx, ds.trainImages, ds.trainLabels);
  const test = take(testIdx, ds.testImages, ds.testLabels);
  return {
    pool: { ...pool, size: poolIdx.length },
    trainEval,
    val,
    test,
    sizes,
    dispose: () => tf.dispose([pool.x, pool.y, trainEval.x, trainEval.y, val.x, val.y, test.x, test.y]),
  };
}

/**
 * Indices of the training pool each epoch trains on: consecutive `epochSize` slices of an endless
 * sequence of seeded shuffled passes over the pool (so a run sees the whole pool every
 * pool/epochSize epochs, and two runs with the same seed see the same samples).
 */
export class EpochSampler {
  private readonly rand: () => number;
  private queue: number[] = [];

  constructor(
    private readonly poolSize: number,
    private readonly epochSize: number,
    seed: number,
  ) {
    this.rand = mulberry32(seed * 7919 + 31);
  }

  next(): Int32Array {
    while (this.queue.length < this.epochSize) this.queue.push(...permutation(this.poolSize, this.rand));
    return Int32Array.from(this.queue.splice(0, this.epochSize));
  }
}

/** The epoch's training tensors (gathered from the pool; the caller disposes them). */
export function epochBatch(t: StudyTensors, idx: Int32Array): { x: tf.Tensor; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const i = tf.tensor1d(idx, 'int32');
    return { x: tf.gather(t.pool.x, i), y: tf.gather(t.pool.y, i) as tf.Tensor2D };
  });
}

function permutation(n: number, rand: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
