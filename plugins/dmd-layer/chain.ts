import * as tf from '@tensorflow/tfjs';

/** A model whose layers form one chain input → layer₁ → … → layer_L → output. */
export interface LayerChain {
  /** The chain's layers in forward order (the input layer excluded). */
  layers: tf.layers.Layer[];
  /** Width of the model input (h₀). */
  inputWidth: number;
  /** Output width of every layer: widths[k] is the width of h_{k+1}. */
  widths: number[];
}

/**
 * Walks a tfjs model back from its single output to its single input and returns its layers in
 * order. Throws unless every layer takes exactly the previous layer's output and every state is a
 * flat vector (shape [null, width]).
 */
export function layerChain(model: tf.LayersModel): LayerChain {
  if (!model || !Array.isArray(model.outputs) || !Array.isArray(model.inputs)) {
    throw new Error('dmdLayer: model must be a tfjs LayersModel (tf.sequential() or tf.model())');
  }
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error(`dmdLayer: the model must have one input and one output; it has ${model.inputs.length} and ${model.outputs.length}`);
  }
  const layers: tf.layers.Layer[] = [];
  let t: tf.SymbolicTensor = model.outputs[0];
  const input = model.inputs[0];
  while (t !== input) {
    const layer = t.sourceLayer;
    if (!layer || layer.getClassName() === 'InputLayer') break;
    if (layer.inboundNodes.length !== 1) {
      throw new Error(`dmdLayer: layer '${layer.name}' is called ${layer.inboundNodes.length} times; only chains of layers are supported`);
    }
    const ins = layer.inboundNodes[0].inputTensors;
    if (ins.length !== 1) throw new Error(`dmdLayer: layer '${layer.name}' has ${ins.length} inputs; only chains of layers are supported`);
    layers.unshift(layer);
    t = ins[0];
  }
  if (t !== input) throw new Error('dmdLayer: could not walk the model from its output back to its input');
  const width = (s: tf.SymbolicTensor, what: string): number => {
    if (s.shape.length !== 2 || typeof s.shape[1] !== 'number') {
      throw new Error(`dmdLayer: ${what} has shape [${s.shape.join(', ')}]; every state of the chain must be a flat vector [batch, width]`);
    }
    return s.shape[1];
  };
  const inputWidth = width(input, 'the model input');
  const widths = layers.map((l) => width(l.output as tf.SymbolicTensor, `the output of layer '${l.name}'`));
  return { layers, inputWidth, widths };
}

/**
 * The states h_from … h_to (h₀ = input) of the chain for `inputs`, each as a sample-major Float64Array,
 * computed batch by batch with a temporary functional model that shares the layers' weights.
 * Every tensor made here is disposed; `inputs` is not.
 */
export function collectStates(model: tf.LayersModel, chain: LayerChain, inputs: tf.Tensor, from: number, to: number, batchSize: number): Float64Array[] {
  const n = inputs.shape[0];
  const outputs: tf.SymbolicTensor[] = [];
  for (let k = Math.max(from, 1); k <= to; k++) outputs.push(chain.layers[k - 1].output as tf.SymbolicTensor);
  const probe = outputs.length ? tf.model({ inputs: model.inputs, outputs }) : null;
  const widths = [chain.inputWidth, ...chain.widths];
  const states: Float64Array[] = [];
  for (let k = from; k <= to; k++) states.push(new Float64Array(n * widths[k]));
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    tf.tidy(() => {
      const x = inputs.slice([start, 0], [size, chain.inputWidth]);
      let out = probe ? probe.predict(x) : [];
      if (!Array.isArray(out)) out = [out];
      const all = from === 0 ? [x, ...out] : out;
      all.forEach((tensor, j) => states[j].set(tensor.dataSync(), start * widths[from + j]));
    });
  }
  return states;
}
