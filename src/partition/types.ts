/** How the weights of a layer are grouped into vectors that each get their own Koopman operator. */
export type PartitionKind = 'single' | 'node' | 'quasi-node' | 'layer' | 'network';
export const PARTITION_KINDS: readonly PartitionKind[] = ['single', 'node', 'quasi-node', 'layer', 'network'];

/** A layer's partition: a kind, a kind with options (`q` for quasi-node), or 'skip' (not recorded, never changed). */
export type LayerPartition = PartitionKind | 'skip' | { kind: PartitionKind | 'skip'; q?: number };

export interface PartitionSpec {
  /** Partition of every layer not named in `layers`. @default 'node' */
  default?: LayerPartition;
  /** Per-layer overrides, keyed by tfjs `layer.name`. @default {} */
  layers?: Record<string, LayerPartition>;
  /**
   * Weight tensors of layers that are neither Dense nor Conv2D, under node or quasi-node
   * partitions: 'tensor' makes each tensor its own group, 'skip' leaves them out. @default 'tensor'
   */
  unknown?: 'tensor' | 'skip';
}

/** One trainable weight tensor, located in the flat weight vector. */
export interface WeightTensorInfo {
  /** Variable name, e.g. `dense_Dense1/kernel`. */
  name: string;
  layer: string;
  /** tfjs class name of the layer, e.g. 'Dense', 'Conv2D'. */
  layerClass: string;
  role: 'kernel' | 'bias' | 'other';
  shape: number[];
  /** Offset in the flat vector (all trainable weights concatenated in model order). */
  offset: number;
  size: number;
}

export type GroupKind = PartitionKind | 'tensor';

/** A vector of weights that gets one operator. */
export interface WeightGroup {
  /** Stable readable id, e.g. `dense_Dense1/node3`, `dense_Dense1/node3:q1`, `conv2d_1/layer`. */
  id: string;
  layer: string;
  kind: GroupKind;
  /** Positions in the flat weight vector, in the order of the group's coordinates. */
  indices: Int32Array;
}

export interface Partition {
  tensors: WeightTensorInfo[];
  groups: WeightGroup[];
  /** Length of the flat weight vector. */
  totalWeights: number;
  /** Weights that belong to some group. */
  coveredWeights: number;
  /** Human-readable notes: skipped layers, fall-backs for unknown layers. */
  notes: string[];
}
