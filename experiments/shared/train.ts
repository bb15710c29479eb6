import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from './data/random.js';

/** Replaces Math.random with a seeded generator while `fn` runs (tfjs's fit() shuffles with it). */
export async function withSeededRandom<T>(seed: number, fn: () => Promise<T>): Promise<T> {
  const saved = Math.random;
  Math.random = mulberry32(seed + 777);
  try {
    return await fn();
  } finally {
    Math.random = saved;
  }
}

/** Categorical cross-entropy and accuracy of a classifier on (x, y), in batches of 1000. */
export function evaluate(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): { loss: number; acc: number } {
  return tf.tidy(() => {
    const p = model.predict(x, { batchSize: 1000 }) as tf.Tensor;
    const loss = tf.metrics.categoricalCrossentropy(y, p).mean().dataSync()[0];
    const acc = tf.metrics.categoricalAccuracy(y, p).mean().dataSync()[0];
    return { loss, acc };
  });
}
