import * as tf from '@tensorflow/tfjs';

/**
 * Zeroes an optimizer's accumulators (moments, squared-gradient sums) in place, so the next step
 * after a jump starts from fresh statistics. Works through `getWeights()`, whose entries after the
 * iteration count are the optimizer's own variables; nothing is re-created, so nothing leaks.
 * Adam-style bias-correction powers are reset too, when present.
 */
export async function resetOptimizerState(optimizer: tf.Optimizer): Promise<number> {
  const weights = await optimizer.getWeights();
  let reset = 0;
  weights.forEach((w, i) => {
    if (w.tensor instanceof tf.Variable) {
      const v = w.tensor;
      tf.tidy(() => v.assign(tf.zerosLike(v)));
      reset++;
    } else if (i === 0) {
      w.tensor.dispose(); // the iteration count is returned as a fresh scalar
    }
  });
  const o = optimizer as unknown as Record<string, unknown>;
  for (const [acc, beta] of [
    ['accBeta1', 'beta1'],
    ['accBeta2', 'beta2'],
  ] as const) {
    const v = o[acc];
    const b = o[beta];
    if (v instanceof tf.Variable && typeof b === 'number') tf.tidy(() => v.assign(tf.scalar(b)));
  }
  return reset;
}
