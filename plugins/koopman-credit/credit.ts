import * as tf from '@tensorflow/tfjs';
import { assignCredit, type CreditBlock, type CreditResult } from '../../src/credit/credit.js';
import { partitionLayers, type LayerInfo } from '../../src/credit/partition.js';
import { mulberry32 } from '../../src/linalg/random.js';
import { resolveKoopmanCreditOptions, type KoopmanCreditOptions, type ResolvedKoopmanCreditOptions } from './options.js';

export interface KoopmanCreditResult extends CreditResult {
  options: ResolvedKoopmanCreditOptions;
  /** Shape of one input (without the batch axis), for reshaping the feature-weight rows into images. */
  inputShape: number[];
}

function flatSize(shape: (number | null)[]): number {
  return shape.slice(1).reduce<number>((p, q) => p * (q ?? 1), 1);
}

/** The model's layers, refusing graphs that are not a single chain. */
function chainLayers(model: tf.LayersModel): tf.layers.Layer[] {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  for (const l of layers) {
    const inbound = (l as unknown as { inboundNodes: { inboundLayers: unknown[] }[] }).inboundNodes;
    if (inbound.length > 1 || (inbound[0] && inbound[0].inboundLayers.length > 1)) {
      throw new Error(`koopmanCredit: layer '${l.name}' has several inputs or is shared; the method takes a chain of layers (a Sequential model)`);
    }
  }
  return layers;
}

/**
 * Koopman credit assignment (seed 000) of a trained tfjs model on `inputs` (a batch; never
 * disposed here): per block, the Koopman operator of the block's map, its credit log abs|K|, the
 * block sensitivity, kernel credits of convolution blocks (one per output channel, NHWC), and the
 * feature-weight map of the composed operator. Every tensor it makes is disposed; the model is
 * only called, never changed. Cost: see `assignCredit`; the block calls run on the tfjs backend.
 */
export function koopmanCredit(model: tf.LayersModel, inputs: tf.Tensor, options: KoopmanCreditOptions = {}): KoopmanCreditResult {
  const o = resolveKoopmanCreditOptions(options);
  if (!(model instanceof tf.LayersModel)) throw new Error('koopmanCredit: model must be a tf.LayersModel (e.g. tf.sequential)');
  const layers = chainLayers(model);
  const inShape = model.inputs[0].shape;
  if (inputs.rank !== inShape.length || inputs.shape.slice(1).some((s, i) => inShape[i + 1] !== null && s !== inShape[i + 1])) {
    throw new Error(`koopmanCredit: inputs of shape [${inputs.shape}] do not fit the model's input [${inShape}]`);
  }
  const count = inputs.shape[0];
  const info: LayerInfo[] = layers.map((l) => ({ name: l.name, className: l.getClassName(), outDim: flatSize(l.outputShape as (number | null)[]) }));
  const plans = partitionLayers(info, o.blocks === 'layers' ? undefined : o.blocks);
  let inDim = flatSize(inShape);
  let inLayerShape = inShape.slice(1) as number[];
  const blocks: CreditBlock[] = plans.map((plan) => {
    const ls = plan.layers.map((i) => layers[i]);
    const shapeIn = inLayerShape;
    const last = ls[ls.length - 1];
    const outShape = (last.outputShape as (number | null)[]).slice(1) as number[];
    const outDim = flatSize(last.outputShape as (number | null)[]);
    const apply = (batch: Float64Array, n: number): Float64Array => {
      const out = new Float64Array(n * outDim);
      for (let s = 0; s < n; s += o.batchSize) {
        const m = Math.min(o.batchSize, n - s);
        const part = tf.tidy(() => {
          let t: tf.Tensor = tf.tensor(Float32Array.from(batch.subarray(s * shapeSize(shapeIn), (s + m) * shapeSize(shapeIn))), [m, ...shapeIn]);
          for (const l of ls) t = l.apply(t, { training: false }) as tf.Tensor;
          return t.reshape([m, outDim]);
        });
        out.set(part.dataSync(), s * outDim);
        part.dispose();
      }
      return out;
    };
    const kernelLayer = o.kernels === 'conv' ? ls.find((l) => l.getClassName() === 'Conv2D') : ls.find((l) => o.kernels.includes(l.name));
    let channels: CreditBlock['channels'];
    if (kernelLayer) {
      const own = ((kernelLayer.outputShape as (number | null)[]).slice(1) as number[]).join('x');
      if (own !== outShape.join('x') && o.kernels !== 'conv') {
        throw new Error(`kernels: layer '${kernelLayer.name}' does not end its block (${plan.name}); its output is not the block's`);
      }
      if (kernelLayer.getClassName() === 'Conv2D' && outShape.length === 3) {
        const format = (kernelLayer.getConfig() as { dataFormat?: string }).dataFormat ?? 'channelsLast';
        const c = format === 'channelsFirst' ? outShape[0] : outShape[2];
        const per = outDim / c;
        const of = new Int32Array(outDim);
        for (let j = 0; j < outDim; j++) of[j] = format === 'channelsFirst' ? Math.floor(j / per) : j % c;
        channels = { count: c, of, layer: kernelLayer.name };
      } else if (outShape.length === 1) {
        channels = { count: outDim, of: Int32Array.from({ length: outDim }, (_, j) => j), layer: kernelLayer.name };
      }
    }
    const block: CreditBlock = {
      name: plan.name,
      layers: ls.map((l) => l.name),
      kind: plan.kind,
      inDim,
      outDim,
      innerDims: ls.map((l) => flatSize(l.outputShape as (number | null)[])),
      apply,
      channels,
    };
    inDim = outDim;
    inLayerShape = outShape;
    return block;
  });
  const flat = tf.tidy(() => inputs.reshape([count, -1]).dataSync());
  const { blocks: _b, seed: _s, batchSize: _bs, kernels: _k, ...engine } = o;
  const result = assignCredit(blocks, Float64Array.from(flat), count, mulberry32(o.seed), engine);
  return { ...result, options: o, inputShape: inShape.slice(1) as number[] };
}

function shapeSize(shape: number[]): number {
  return shape.reduce((p, q) => p * q, 1);
}
