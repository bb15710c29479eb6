import type * as tf from '@tensorflow/tfjs';

/**
 * Sets an optimizer's learning rate for the next steps. tfjs keeps it in a protected field:
 * SGD (and Momentum, its subclass) also cache it as a tensor and must be told through their own
 * `setLearningRate`; Adam, Adagrad, Adadelta, Adamax and RMSProp have no such method and read the
 * field at every `applyGradients`, so assigning it takes effect on the next step (tests check both
 * against the update rules). An optimizer with neither is refused, naming its class, rather than
 * given a field it never reads. O(1).
 */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const o = opt as unknown as { learningRate?: unknown; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else if (typeof o.learningRate === 'number') o.learningRate = lr;
  else throw new Error(`optimizer ${opt.getClassName()} has no numeric learningRate field`);
}

export function getLearningRate(opt: tf.Optimizer): number {
  return (opt as unknown as { learningRate: number }).learningRate;
}
