import * as tf from '@tensorflow/tfjs';

/**
 * Seed 003's MNIST CNN (Fig. 2): conv 16@5×5 → maxpool 2 → conv 32@5×5 → maxpool 2 → dense 100 →
 * dense 10 softmax (ReLU, 'valid' padding: 28 → 24 → 12 → 8 → 4, so the dense head sees 512
 * features); input [n, 28, 28, 1]. With a `seed`, every kernel is He normal (seeded per layer,
 * the spectrum study's 'he' initialisation) and every bias zero; without one, tfjs's defaults.
 */
export function buildCnn(seed?: number): tf.Sequential {
  const init = (i: number) => (seed === undefined ? {} : { kernelInitializer: tf.initializers.heNormal({ seed: seed * 1009 + 17 * i }), biasInitializer: 'zeros' as const });
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 5, activation: 'relu', name: 'conv1', ...init(0) }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }));
  m.add(tf.layers.conv2d({ filters: 32, kernelSize: 5, activation: 'relu', name: 'conv2', ...init(1) }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }));
  m.add(tf.layers.flatten({ name: 'flatten' }));
  m.add(tf.layers.dense({ units: 100, activation: 'relu', name: 'dense1', ...init(2) }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'dense2', ...init(3) }));
  return m;
}
