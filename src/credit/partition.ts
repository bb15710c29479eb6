/** What a layer does, as the credit method sees it. */
export type LayerKind = 'conv' | 'pool' | 'dense' | 'shape' | 'activation';

/** tfjs layer class names the method takes, by kind. */
export const LAYER_KINDS: Readonly<Record<string, LayerKind>> = Object.freeze({
  Conv2D: 'conv',
  Conv1D: 'conv',
  DepthwiseConv2D: 'conv',
  SeparableConv2D: 'conv',
  MaxPooling2D: 'pool',
  AveragePooling2D: 'pool',
  MaxPooling1D: 'pool',
  AveragePooling1D: 'pool',
  GlobalAveragePooling2D: 'pool',
  GlobalMaxPooling2D: 'pool',
  Dense: 'dense',
  Flatten: 'shape',
  Reshape: 'shape',
  Dropout: 'shape',
  Activation: 'activation',
  ReLU: 'activation',
  Softmax: 'activation',
  LeakyReLU: 'activation',
});

export interface LayerInfo {
  name: string;
  className: string;
  /** Flat output dimension. */
  outDim: number;
}

export interface BlockPlan {
  name: string;
  /** Indices of the layers it holds (consecutive). */
  layers: number[];
  /** The kind of its first conv/pool/dense layer ('shape'/'activation' when it has none). */
  kind: LayerKind;
}

/**
 * Block partition (seed 000, III.A). `groups` omitted: one block per convolution, pooling or dense
 * layer, shape-only and activation layers joining the block before them (the paper's layer is the
 * affine map and its activation). `groups` given: lists of layer names, consecutive, covering all
 * layers in order. Throws naming a layer the method cannot take.
 */
export function partitionLayers(layers: LayerInfo[], groups?: string[][]): BlockPlan[] {
  if (layers.length === 0) throw new Error('partition: the model has no layers');
  const kinds = layers.map((l) => {
    const k = LAYER_KINDS[l.className];
    if (!k) {
      throw new Error(
        `layer '${l.name}' is a ${l.className}, which Koopman credit assignment cannot take; supported: ${Object.keys(LAYER_KINDS).join(', ')}`,
      );
    }
    return k;
  });
  const main = (idx: number[]): LayerKind => kinds[idx.find((i) => kinds[i] === 'conv' || kinds[i] === 'pool' || kinds[i] === 'dense') ?? idx[0]];
  if (groups) {
    const index = new Map(layers.map((l, i) => [l.name, i]));
    let next = 0;
    return groups.map((g, gi) => {
      if (!Array.isArray(g) || g.length === 0) throw new Error(`blocks[${gi}] must be a non-empty list of layer names`);
      const idx = g.map((name) => {
        const i = index.get(name);
        if (i === undefined) throw new Error(`blocks[${gi}]: no layer named '${name}'; layers: ${layers.map((l) => l.name).join(', ')}`);
        return i;
      });
      idx.forEach((i) => {
        if (i !== next) {
          throw new Error(`blocks[${gi}]: layer '${layers[i].name}' is out of order; blocks must be consecutive layers covering the model in order (expected '${layers[next]?.name}')`);
        }
        next++;
      });
      return { name: g.length === 1 ? g[0] : `${g[0]}…${g[g.length - 1]}`, layers: idx, kind: main(idx) };
    }).concat(
      next === layers.length
        ? []
        : (() => {
            throw new Error(`blocks do not cover the model: layers from '${layers[next].name}' on are in no block`);
          })(),
    );
  }
  const plans: BlockPlan[] = [];
  let pending: number[] = [];
  layers.forEach((_, i) => {
    const k = kinds[i];
    if (k === 'shape' || k === 'activation') {
      if (plans.length > 0) plans[plans.length - 1].layers.push(i);
      else pending.push(i);
      return;
    }
    plans.push({ name: layers[i].name, layers: [...pending, i], kind: k });
    pending = [];
  });
  if (plans.length === 0) throw new Error('partition: the model has no convolution, pooling or dense layer to credit');
  return plans;
}
