import * as tf from '@tensorflow/tfjs';
import { fitDelayDmd, minDelayPairs } from '../../src/dmd-layer/delay-dmd.js';
import type { Complex } from '../../src/linalg/complex.js';
import { cabs } from '../../src/linalg/complex.js';
import { collectStates, layerChain, type LayerChain } from './chain.js';
import { resolveDmdLayerOptions, type DmdLayerOptions } from './options.js';

/** What {@link dmdLayer} fitted, for the user and for result files. */
export interface DmdLayerReport {
  /** Name of the replaced layer and its position ℓ in the chain (h_ℓ is its output; h₀ the input). */
  layer: string;
  position: number;
  delays: number;
  /** Names of the states the replacing layer reads, newest first ('input' is h₀). */
  delayStates: string[];
  /** Rank kept and the rule that chose it. */
  rank: number;
  rankRule: string;
  singularValues: number[];
  /** σ₁/σ_r of the directions kept. */
  condition: number;
  /** Eigenvalues of the reduced delay operator (padded delay map; analysis only). */
  eigenvalues: Complex[];
  spectralRadius: number;
  /** ‖H − Ĥ‖_F/‖H‖_F of the layer's outputs on the fitting inputs. */
  reconstructionError: number;
  maxAbsError: number;
  samples: number;
  /** Dimension of the delay vector (inputs of the replacing Dense layer). */
  inputDim: number;
  outputDim: number;
  ms: number;
}

export interface DmdLayerResult {
  /** A new model: the layer replaced by a linear Dense layer on the delay coordinates; the others copied. */
  model: tf.LayersModel;
  report: DmdLayerReport;
}

/**
 * Replaces the Dense layer `layerName` of a chain model (tf.sequential() or a chain-shaped tf.model())
 * by a DMD linear operator with delay coordinates (seed 002). The forward pass of `inputs` is the
 * trajectory h₀ (input) → h₁ → … → h_L; the operator is fitted on the N snapshot pairs
 * (ψ_{ℓ−1} → h_ℓ), ψ_{ℓ−1} = [h_{ℓ−1}; …; h_{ℓ−d}], and the new model computes
 * h_ℓ = ψ_{ℓ−1}·K + c with a linear Dense layer (a Concatenate of the delay states first when d > 1).
 * Every other layer is copied with its weights; `model` and `inputs` are left untouched.
 *
 * Cost: one forward pass of `inputs` plus the fit, O(N·p·min(p, N)) for p = Σ widths of the delays.
 */
export function dmdLayer(model: tf.LayersModel, layerName: string, inputs: tf.Tensor, options: DmdLayerOptions = {}): DmdLayerResult {
  const t0 = performance.now();
  const o = resolveDmdLayerOptions(options);
  const chain = layerChain(model);
  const index = chain.layers.findIndex((l) => l.name === layerName);
  if (index < 0) {
    throw new Error(`dmdLayer: no layer named '${String(layerName)}' in the model; its layers are ${chain.layers.map((l) => `'${l.name}'`).join(', ')}`);
  }
  const target = chain.layers[index];
  if (target.getClassName() !== 'Dense') {
    throw new Error(`dmdLayer: layer '${layerName}' is a ${target.getClassName()} layer, not a Dense layer; only Dense layers can be replaced`);
  }
  const position = index + 1;
  if (o.delays > position) {
    throw new Error(
      `dmdLayer: delays ${o.delays} is too many for layer '${layerName}': only ${position} state(s) come before it ` +
        `(the model input and the outputs of the layers before it), so delays must be at most ${position}`,
    );
  }
  // Duck-typed, not instanceof: two copies of tfjs in one process break instanceof.
  const isTensor = inputs !== null && typeof inputs === 'object' && Array.isArray((inputs as tf.Tensor).shape) && typeof (inputs as tf.Tensor).dataSync === 'function';
  if (!isTensor || inputs.rank !== 2 || inputs.shape[1] !== chain.inputWidth) {
    const shape = isTensor ? `[${inputs.shape.join(', ')}]` : typeof inputs;
    throw new Error(`dmdLayer: inputs must be a 2-D tensor [samples, ${chain.inputWidth}]; got ${shape}`);
  }
  const N = inputs.shape[0];
  const widths = [chain.inputWidth, ...chain.widths];
  const from = position - o.delays;
  const p = widths.slice(from, position).reduce((s, w) => s + w, 0);
  const need = minDelayPairs(p, o.rank, o.affine);
  if (N < need) {
    throw new Error(
      `dmdLayer: ${N} samples are too few for delays ${o.delays} and rank ${o.rank}${o.affine ? ' with affine' : ''}: ` +
        `the delay vector has ${p} numbers, so at least ${need} samples are needed`,
    );
  }
  const states = collectStates(model, chain, inputs, from, position, o.batchSize);
  const past = [];
  for (let k = position - 1; k >= from; k--) past.push({ data: states[k - from], width: widths[k] });
  const fit = fitDelayDmd({ past, next: { data: states[o.delays], width: widths[position] }, samples: N }, o);
  const newModel = rebuild(chain, index, o.delays, fit.kernel, fit.bias, model.name);
  const stateName = (k: number) => (k === 0 ? 'input' : chain.layers[k - 1].name);
  const report: DmdLayerReport = {
    layer: layerName,
    position,
    delays: o.delays,
    delayStates: Array.from({ length: o.delays }, (_, j) => stateName(position - 1 - j)),
    rank: fit.rank,
    rankRule: fit.rankRule,
    singularValues: Array.from(fit.singularValues),
    condition: fit.condition,
    eigenvalues: fit.eigenvalues,
    spectralRadius: fit.eigenvalues.reduce((m, l) => Math.max(m, cabs(l)), 0),
    reconstructionError: fit.reconstructionError,
    maxAbsError: fit.maxAbsError,
    samples: N,
    inputDim: fit.inputDim,
    outputDim: fit.outputDim,
    ms: performance.now() - t0,
  };
  return { model: newModel, report };
}

/** The chain with layer `index` replaced by Dense(kernel, bias) on the concatenated delay states. */
function rebuild(chain: LayerChain, index: number, delays: number, kernel: Float64Array, bias: Float64Array, name: string): tf.LayersModel {
  const input = tf.input({ shape: [chain.inputWidth] });
  const h: tf.SymbolicTensor[] = [input];
  const copies: { layer: tf.layers.Layer; weights: tf.Tensor[] }[] = [];
  chain.layers.forEach((layer, k) => {
    if (k === index) {
      const past = Array.from({ length: delays }, (_, j) => h[k - j]);
      const z = delays > 1 ? (tf.layers.concatenate({ name: `${layer.name}_delays` }).apply(past) as tf.SymbolicTensor) : past[0];
      const units = chain.widths[k];
      const dense = tf.layers.dense({ units, activation: 'linear', useBias: true, name: layer.name });
      h.push(dense.apply(z) as tf.SymbolicTensor);
      const p = kernel.length / units;
      copies.push({ layer: dense, weights: [tf.tensor2d(Float32Array.from(kernel), [p, units]), tf.tensor1d(Float32Array.from(bias))] });
    } else {
      const Ctor = layer.constructor as unknown as new (config: unknown) => tf.layers.Layer;
      const copy = new Ctor(layer.getConfig());
      h.push(copy.apply(h[k]) as tf.SymbolicTensor);
      // getWeights() returns the live variables: copy their values, never hand them over.
      copies.push({ layer: copy, weights: layer.getWeights().map((w) => w.clone()) });
    }
  });
  const out = tf.model({ inputs: input, outputs: h[h.length - 1], name: `${name}_dmd` });
  for (const c of copies) {
    c.layer.setWeights(c.weights);
    tf.dispose(c.weights);
  }
  return out;
}
