import * as tf from '@tensorflow/tfjs';
import type { WeightTensorInfo } from '../partition/types.js';

function shapeOf(v: tf.LayerVariable): number[] {
  return v.shape.map((d) => {
    if (d === null) throw new Error(`variable ${v.name} has an undefined dimension`);
    return d;
  });
}

function sizeOf(v: tf.LayerVariable): number {
  return shapeOf(v).reduce((a, b) => a * b, 1);
}

/** The trainable variables of a model in a fixed order, each with its layer. */
function trainableVariables(model: tf.LayersModel): { v: tf.LayerVariable; layer: tf.layers.Layer }[] {
  const out: { v: tf.LayerVariable; layer: tf.layers.Layer }[] = [];
  const seen = new Set<tf.LayerVariable>();
  for (const layer of model.layers) {
    for (const v of layer.trainableWeights) {
      if (seen.has(v)) continue;
      seen.add(v);
      out.push({ v, layer });
    }
  }
  return out;
}

/** Where every trainable weight tensor lives in the flat weight vector. */
export function describeModel(model: tf.LayersModel): WeightTensorInfo[] {
  let offset = 0;
  return trainableVariables(model).map(({ v, layer }) => {
    const size = sizeOf(v);
    const l = layer as unknown as { kernel?: tf.LayerVariable; bias?: tf.LayerVariable };
    const role = l.kernel === v ? 'kernel' : l.bias === v ? 'bias' : 'other';
    const info: WeightTensorInfo = {
      name: v.name,
      layer: layer.name,
      layerClass: layer.getClassName(),
      role,
      shape: shapeOf(v),
      offset,
      size,
    };
    offset += size;
    return info;
  });
}

/**
 * Copies every trainable weight into one flat Float32Array (a snapshot: the model's variables
 * are read, never disposed or aliased).
 */
export function readWeights(model: tf.LayersModel, out?: Float32Array): Float32Array {
  const vars = trainableVariables(model);
  const total = vars.reduce((a, { v }) => a + sizeOf(v), 0);
  const flat = out ?? new Float32Array(total);
  if (flat.length !== total) throw new Error(`readWeights: buffer has ${flat.length} entries, model has ${total} trainable weights`);
  let offset = 0;
  for (const { v } of vars) {
    const data = v.read().dataSync() as Float32Array;
    flat.set(data, offset);
    offset += data.length;
  }
  return flat;
}

/** Writes a flat weight vector (as made by readWeights) back into the model's variables. */
export function writeWeights(model: tf.LayersModel, flat: ArrayLike<number>): void {
  const vars = trainableVariables(model);
  let offset = 0;
  for (const { v } of vars) {
    const size = sizeOf(v);
    const values = Float32Array.from({ length: size }, (_, i) => flat[offset + i]);
    tf.tidy(() => {
      v.write(tf.tensor(values, shapeOf(v), 'float32'));
    });
    offset += size;
  }
  if (offset !== flat.length) throw new Error(`writeWeights: got ${flat.length} values, model has ${offset} trainable weights`);
}
