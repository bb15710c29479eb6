import * as tf from '@tensorflow/tfjs';

/**
 * Adadelta as Zeiler (2012) and PyTorch define it. tfjs 4.x's `tf.train.adadelta` divides by the
 * root of the *previous* squared-gradient average, so its first step is the raw gradient times the
 * learning rate (with lr 1.0 that kills most ReLU units of an MNIST MLP in the first epoch). This
 * subclass uses the updated average:
 *   E[g²] ← ρE[g²] + (1−ρ)g²;  Δ = √(E[Δ²]+ε)/√(E[g²]+ε)·g;  E[Δ²] ← ρE[Δ²] + (1−ρ)Δ²;  w ← w − lr·Δ.
 * State, getWeights/setWeights and serialisation are tfjs's own.
 */
export class FixedAdadelta extends tf.AdadeltaOptimizer {
  override applyGradients(variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const registry = tf.engine().registeredVariables;
    const self = this as unknown as {
      accumulatedGrads: { originalName: string; variable: tf.Variable }[];
      accumulatedUpdates: { originalName: string; variable: tf.Variable }[];
      rho: number;
      epsilon: number;
      learningRate: number;
    };
    names.forEach((name, i) => {
      const value = registry[name];
      if (self.accumulatedGrads[i] == null) {
        self.accumulatedGrads[i] = { originalName: `${name}/accum_grad`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      }
      if (self.accumulatedUpdates[i] == null) {
        self.accumulatedUpdates[i] = { originalName: `${name}/accum_var`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      }
      const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
      if (gradient == null) return;
      const accGrad = self.accumulatedGrads[i].variable;
      const accUpdate = self.accumulatedUpdates[i].variable;
      tf.tidy(() => {
        const newAccGrad = tf.add(tf.mul(accGrad, self.rho), tf.mul(tf.square(gradient), 1 - self.rho));
        const update = tf.mul(tf.div(tf.sqrt(tf.add(accUpdate, self.epsilon)), tf.sqrt(tf.add(newAccGrad, self.epsilon))), gradient);
        const newAccUpdate = tf.add(tf.mul(accUpdate, self.rho), tf.mul(tf.square(update), 1 - self.rho));
        accGrad.assign(newAccGrad);
        accUpdate.assign(newAccUpdate);
        value.assign(tf.add(tf.mul(update, -self.learningRate), value));
      });
    });
    this.incrementIterations();
  }
}

/**
 * The one Adadelta factory: like `tf.train.adadelta` (its defaults: learning rate 0.001, ρ 0.95,
 * ε the backend's), with the corrected update. The experiments pass their settings explicitly
 * through `makeOptimizer` (experiments/shared/optimizers.ts).
 */
export function adadelta(learningRate = 0.001, rho = 0.95, epsilon?: number): FixedAdadelta {
  return new FixedAdadelta(learningRate, rho, epsilon);
}
