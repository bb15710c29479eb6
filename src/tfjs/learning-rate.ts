import type * as tf from '@tensorflow/tfjs';

/**
 * Sets an optimizer's learning rate for the next steps. tfjs keeps it in a protected field; SGD
 * (and Momentum) also cache it as a tensor and must be told through their own setLearningRate,
 * the others read the field at every step.
 */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const o = opt as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

export function getLearningRate(opt: tf.Optimizer): number {
  return (opt as unknown as { learningRate: number }).learningRate;
}
