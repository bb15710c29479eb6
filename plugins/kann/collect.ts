import * as tf from '@tensorflow/tfjs';
import type { HiddenStates } from '../../src/kann/index.js';

/** The layer KANN analyses: by name, by object, or the last recurrent layer with returnSequences (else the last layer whose output is a sequence). */
export function findSequenceLayer(model: tf.LayersModel, layer?: string | tf.layers.Layer): tf.layers.Layer {
  let l: tf.layers.Layer | undefined;
  if (layer === undefined) {
    const reversed = [...model.layers].reverse();
    for (const c of reversed) if ((c as unknown as { returnSequences?: boolean }).returnSequences === true) return checkSequence(c);
    for (const c of reversed) if (outputRank(c) === 3) return checkSequence(c);
    throw new Error('no layer of the model outputs a sequence [batch, steps, units]; give a recurrent layer with returnSequences: true');
  }
  if (typeof layer === 'string') {
    l = model.layers.find((c) => c.name === layer);
    if (!l) throw new Error(`layer '${layer}' is not in the model; layers: ${model.layers.map((c) => c.name).join(', ')}`);
  } else {
    l = model.layers.find((c) => c === layer);
    if (!l) throw new Error(`layer '${layer.name}' is not a layer of this model`);
  }
  return checkSequence(l);
}

function outputRank(l: tf.layers.Layer): number {
  try {
    const shape = l.outputShape;
    return Array.isArray(shape) && !Array.isArray(shape[0]) ? shape.length : -1;
  } catch {
    return -1;
  }
}

function checkSequence(l: tf.layers.Layer): tf.layers.Layer {
  const rs = (l as unknown as { returnSequences?: boolean }).returnSequences;
  if (rs === false) {
    throw new Error(
      `layer '${l.name}' does not return sequences (returnSequences: false): KANN needs its hidden state at every step; build it with returnSequences: true`,
    );
  }
  if (outputRank(l) !== 3) {
    throw new Error(`layer '${l.name}' does not return sequences: its output shape is ${JSON.stringify(l.outputShape)}, not [batch, steps, units]`);
  }
  return l;
}

/**
 * Runs the model up to `layer` on `inputs` and returns its hidden states [samples, steps, units].
 * Builds a sub-model sharing the model's layers (no new variables; it is not disposed, which would
 * dispose the shared weights). Disposes every tensor it creates; never the inputs.
 */
export function collectHiddenStates(model: tf.LayersModel, inputs: tf.Tensor | tf.Tensor[], layer: tf.layers.Layer, batchSize: number): HiddenStates {
  const sub = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
  const out = sub.predict(inputs, { batchSize }) as tf.Tensor;
  try {
    const [samples, steps, dim] = out.shape;
    return { data: out.dataSync() as Float32Array, samples, steps, dim };
  } finally {
    out.dispose();
  }
}
