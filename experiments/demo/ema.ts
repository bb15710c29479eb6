import * as tf from '@tensorflow/tfjs';
import { readWeights, writeWeights } from '../../src/tfjs/weights.js';

/**
 * An exponential moving average of the weights as a fit() callback, the way Keras' `use_ema`
 * keeps it: avg ← decay·avg + (1 − decay)·w after every optimizer step (no bias correction).
 * The average is a flat Float32Array updated in JavaScript after one read of the weights:
 * O(d) per step for d weights, cheaper on wasm than the same update as tf ops (a few dozen
 * kernel calls a step). Training itself uses the raw weights; at the end of fit() the average
 * is written into the model (Keras' SwapEMAWeights convention: the model then holds the
 * weights meant for use).
 */
export class WeightEma extends tf.Callback {
  private avg: Float32Array | null = null;
  private flat: Float32Array | null = null;

  constructor(readonly decay: number) {
    super();
    if (!(decay >= 0 && decay < 1)) throw new Error(`WeightEma: decay must be in [0, 1); got ${String(decay)}`);
  }

  override async onTrainBegin(): Promise<void> {
    this.avg = readWeights(this.model as tf.LayersModel);
    this.flat = new Float32Array(this.avg.length);
  }

  override async onBatchEnd(): Promise<void> {
    const avg = this.avg!;
    const w = readWeights(this.model as tf.LayersModel, this.flat!);
    const d = this.decay;
    const c = 1 - d;
    for (let i = 0; i < avg.length; i++) avg[i] = d * avg[i] + c * w[i];
  }

  override async onTrainEnd(): Promise<void> {
    writeWeights(this.model as tf.LayersModel, this.average());
  }

  /** The averaged weights (the layout of readWeights), a copy. O(d). */
  average(): Float32Array {
    if (!this.avg) throw new Error('WeightEma: no average yet (training has not begun)');
    return this.avg.slice();
  }
}
