import * as tf from '@tensorflow/tfjs';

/** The trainable variables in the order of src/tfjs readWeights / writeWeights (layers, then each layer's weights). */
function trainableVariables(model: tf.LayersModel): tf.LayerVariable[] {
  const seen = new Set<tf.LayerVariable>();
  for (const layer of model.layers) for (const v of layer.trainableWeights) seen.add(v);
  return [...seen];
}

/**
 * An exponential moving average of the weights as a fit() callback, the way Keras' `use_ema`
 * keeps it: avg ← decay·avg + (1 − decay)·w after every optimizer step (no bias correction),
 * held in tf variables and updated on the backend (O(d) per step for d weights, no read-back).
 * Training itself uses the raw weights; at the end of fit() the average is written into the model
 * (Keras' SwapEMAWeights convention: the model then holds the weights meant for use).
 * Call {@link dispose} when done.
 */
export class WeightEma extends tf.Callback {
  private vars: tf.LayerVariable[] = [];
  private avgs: tf.Variable[] = [];

  constructor(readonly decay: number) {
    super();
    if (!(decay >= 0 && decay < 1)) throw new Error(`WeightEma: decay must be in [0, 1); got ${String(decay)}`);
  }

  override async onTrainBegin(): Promise<void> {
    const model = this.model as tf.LayersModel;
    this.dispose();
    this.vars = trainableVariables(model);
    this.avgs = this.vars.map((v) => tf.tidy(() => tf.variable(v.read().clone(), false)));
  }

  override async onBatchEnd(): Promise<void> {
    const d = this.decay;
    tf.tidy(() => this.vars.forEach((v, i) => this.avgs[i].assign(tf.add(tf.mul(this.avgs[i], d), tf.mul(v.read(), 1 - d)))));
  }

  override async onTrainEnd(): Promise<void> {
    tf.tidy(() => this.vars.forEach((v, i) => v.write(this.avgs[i].clone())));
  }

  /** The averaged weights as one flat vector (the layout of readWeights). O(d). */
  average(): Float32Array {
    if (this.avgs.length === 0) throw new Error('WeightEma: no average yet (training has not begun)');
    const parts = this.avgs.map((a) => a.dataSync() as Float32Array);
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /** Frees the averages' variables. */
  dispose(): void {
    tf.dispose(this.avgs);
    this.avgs = [];
  }
}
