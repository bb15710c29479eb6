import * as tf from '@tensorflow/tfjs';

/**
 * [batch, steps, units] → [batch, units]: the state at the last step. Lets a model keep its
 * recurrent layer at `returnSequences: true` (so KANN can read every state) and still read out the
 * final state, as a `returnSequences: false` layer would.
 */
export class LastStep extends tf.layers.Layer {
  static className = 'KannLastStep';
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0], s[2]];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [b, n, u] = x.shape;
      return x.slice([0, n - 1, 0], [b, 1, u]).reshape([b, u]);
    });
  }
}
tf.serialization.registerClass(LastStep);

export function lastStep(config: { name?: string } = {}): LastStep {
  return new LastStep(config);
}
