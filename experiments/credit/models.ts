import * as tf from '@tensorflow/tfjs';
import type { NetworkName } from './settings.js';

/** LeNet-5 (LeCun et al. 1998) as in seed 000 Fig. 4a: conv 6@5×5 same, pool, conv 16@5×5, pool, 120, 84, 10. */
export function lenet5(seed: number): tf.Sequential {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 100 + k });
  return tf.sequential({
    name: 'lenet5',
    layers: [
      tf.layers.conv2d({ name: 'conv1', inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
      tf.layers.conv2d({ name: 'conv2', filters: 16, kernelSize: 5, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: 'dense1', units: 120, activation: 'relu', kernelInitializer: init(3) }),
      tf.layers.dense({ name: 'dense2', units: 84, activation: 'relu', kernelInitializer: init(4) }),
      tf.layers.dense({ name: 'dense3', units: 10, activation: 'softmax', kernelInitializer: init(5) }),
    ],
  });
}

/** N2 of seed 000 IV.B: 81-128-64-24-10 on 9×9 max-pooled MNIST. */
export function n2Mlp(seed: number): tf.Sequential {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 100 + k });
  return tf.sequential({
    name: 'n2_mlp',
    layers: [
      tf.layers.dense({ name: 'dense1', inputShape: [81], units: 128, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.dense({ name: 'dense2', units: 64, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.dense({ name: 'dense3', units: 24, activation: 'relu', kernelInitializer: init(3) }),
      tf.layers.dense({ name: 'dense4', units: 10, activation: 'softmax', kernelInitializer: init(4) }),
    ],
  });
}

export function buildNetwork(name: NetworkName, seed: number): tf.Sequential {
  return name === 'lenet5' ? lenet5(seed) : n2Mlp(seed);
}

/** Images as the network takes them: [n, 28, 28, 1] for LeNet-5, 3×3/3 max-pooled and flattened [n, 81] for N2. */
export function networkInputs(name: NetworkName, images: Float32Array, n: number): tf.Tensor {
  return tf.tidy(() => {
    const x = tf.tensor4d(images.subarray(0, n * 784), [n, 28, 28, 1]);
    return name === 'lenet5' ? x.clone() : tf.maxPool(x, 3, 3, 'valid').reshape([n, 81]);
  });
}

/** Side of the (square) input image. */
export function inputSide(name: NetworkName): number {
  return name === 'lenet5' ? 28 : 9;
}

/** Layers whose units/kernels get credits: conv1 and conv2 for LeNet-5 (the paper), dense1's 128 units for N2 (our analogue). */
export function kernelLayers(name: NetworkName): string[] {
  return name === 'lenet5' ? ['conv1', 'conv2'] : ['dense1'];
}
