export { DEFAULT_PARTITION, gatherGroup, partitionWeights, scatterGroup } from './partition.js';
export { PARTITION_KINDS, type GroupKind, type LayerPartition, type Partition, type PartitionKind, type PartitionSpec, type WeightGroup, type WeightTensorInfo } from './types.js';
