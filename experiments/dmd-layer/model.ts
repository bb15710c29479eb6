import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../src/linalg/random.js';

/** Inputs and labels of one split, row-major. */
export interface Split {
  inputs: Float32Array;
  labels: Uint8Array;
  width: number;
}

/**
 * A ReLU MLP input → hidden… → classes (softmax), layers named hidden1, hidden2, …, output,
 * Glorot-uniform weights and zero biases, seeded.
 */
export function buildClassifier(inputWidth: number, hidden: number[], classes: number, seed: number): tf.Sequential {
  const m = tf.sequential();
  [...hidden, classes].forEach((units, i) => {
    const last = i === hidden.length;
    m.add(
      tf.layers.dense({
        ...(i === 0 ? { inputShape: [inputWidth] } : {}),
        units,
        activation: last ? 'softmax' : 'relu',
        name: last ? 'output' : `hidden${i + 1}`,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1009 + i }),
        biasInitializer: 'zeros',
      }),
    );
  });
  return m;
}

/**
 * Trains with Adam on the cross-entropy, mini-batches in a seeded order (tfjs's fit() shuffles
 * with Math.random, which cannot be seeded). Every tensor made here is disposed.
 */
export function trainClassifier(model: tf.LayersModel, train: Split, classes: number, o: { epochs: number; batchSize: number; learningRate: number; seed: number }): void {
  const n = train.labels.length;
  const x = tf.tensor2d(train.inputs, [n, train.width]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(train.labels), 'int32'), classes).toFloat());
  const opt = tf.train.adam(o.learningRate);
  const rnd = mulberry32(o.seed * 7919 + 17);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let e = 0; e < o.epochs; e++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (let s = 0; s < n; s += o.batchSize) {
      const idx = order.subarray(s, Math.min(n, s + o.batchSize));
      tf.tidy(() => {
        const ix = tf.tensor1d(idx, 'int32');
        const xb = tf.gather(x, ix);
        const yb = tf.gather(y, ix);
        opt.minimize(() => tf.metrics.categoricalCrossentropy(yb, model.apply(xb, { training: true }) as tf.Tensor).mean() as tf.Scalar);
      });
    }
  }
  opt.dispose();
  tf.dispose([x, y]);
}

/** Fraction of `split` classified correctly. */
export function accuracy(model: tf.LayersModel, split: Split): number {
  const n = split.labels.length;
  const pred = tf.tidy(() => {
    const x = tf.tensor2d(split.inputs, [n, split.width]);
    return (model.predict(x, { batchSize: 1024 }) as tf.Tensor).argMax(-1).dataSync();
  });
  let ok = 0;
  for (let i = 0; i < n; i++) if (pred[i] === split.labels[i]) ok++;
  return ok / n;
}
