import * as tf from '@tensorflow/tfjs';

/** A copy of a model's weights in buffers the monitor owns (the live variables are only read). */
export interface WeightCopy {
  buffers: Float32Array[];
  shapes: number[][];
  dtypes: tf.DataType[];
}

/** The trainable weights, flattened into a new Float32Array. Cost O(weights); no tensor is created. */
export function snapshotTrainable(model: tf.LayersModel): Float32Array {
  const live = model.getWeights(true);
  let total = 0;
  for (const w of live) total += w.size;
  const out = new Float32Array(total);
  let off = 0;
  for (const w of live) {
    out.set(w.dataSync() as ArrayLike<number>, off);
    off += w.size;
  }
  return out;
}

/** Copies every weight (trainable or not) into `into` when its layout matches, else into new buffers. Cost O(weights). */
export function copyWeights(model: tf.LayersModel, into: WeightCopy | null = null): WeightCopy {
  const live = model.getWeights();
  const fits = into !== null && into.buffers.length === live.length && live.every((w, i) => w.size === into.buffers[i].length);
  const copy: WeightCopy = fits
    ? into!
    : { buffers: live.map((w) => new Float32Array(w.size)), shapes: live.map((w) => w.shape.slice()), dtypes: live.map((w) => w.dtype) };
  live.forEach((w, i) => copy.buffers[i].set(w.dataSync() as ArrayLike<number>));
  return copy;
}

/** Writes a copy back into the model; the tensors made for it are disposed (the variables keep their own). */
export function writeWeights(model: tf.LayersModel, copy: WeightCopy): void {
  const tensors = copy.buffers.map((buf, i) => tf.tensor(buf.slice(), copy.shapes[i], copy.dtypes[i]));
  try {
    model.setWeights(tensors);
  } finally {
    for (const t of tensors) t.dispose();
  }
}

/** Whether the model's weights equal the copy bit for bit. Cost O(weights). */
export function holdsWeights(model: tf.LayersModel, copy: WeightCopy): boolean {
  const live = model.getWeights();
  if (live.length !== copy.buffers.length) return false;
  for (let i = 0; i < live.length; i++) {
    const d = live[i].dataSync();
    const b = copy.buffers[i];
    if (d.length !== b.length) return false;
    for (let j = 0; j < b.length; j++) if (!Object.is(d[j] as number, b[j])) return false;
  }
  return true;
}
