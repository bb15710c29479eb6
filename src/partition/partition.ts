import {
  PARTITION_KINDS,
  type GroupKind,
  type LayerPartition,
  type Partition,
  type PartitionKind,
  type PartitionSpec,
  type WeightGroup,
  type WeightTensorInfo,
} from './types.js';

export const DEFAULT_PARTITION: Required<PartitionSpec> = Object.freeze({
  default: 'node',
  layers: {},
  unknown: 'tensor',
}) as Required<PartitionSpec>;

/** Layer classes whose kernels have output units on the last axis and a bias per unit. */
const NODE_LAYERS = new Set(['Dense', 'Conv2D']);

interface Resolved {
  kind: PartitionKind | 'skip';
  q: number;
}

function resolveLayerPartition(p: LayerPartition, where: string): Resolved {
  const kind = typeof p === 'string' ? p : p?.kind;
  if (kind !== 'skip' && !PARTITION_KINDS.includes(kind as PartitionKind)) {
    throw new Error(`${where}: unknown partition kind '${String(kind)}'; accepted: ${PARTITION_KINDS.join(', ')}, skip`);
  }
  const q = typeof p === 'object' && p !== null ? p.q : undefined;
  if (kind === 'quasi-node') {
    if (q === undefined || !Number.isInteger(q) || q < 1) {
      throw new Error(`${where}: quasi-node needs an integer q ≥ 1 (chunk length); got ${String(q)}`);
    }
  } else if (q !== undefined) {
    throw new Error(`${where}: q only applies to quasi-node, not to '${kind}'`);
  }
  return { kind: kind as Resolved['kind'], q: q ?? 0 };
}

/**
 * Splits the trainable weights into groups (seed 004, Fig. 1 and S7). For a Dense kernel
 * K ∈ R^{in×out} and bias b, node j is [K[:, j]; b[j]]; for Conv2D, node j is output channel j
 * (its kh·kw·cin weights and bias). Quasi-node cuts each node into chunks of q, the last shorter.
 */
export function partitionWeights(tensors: WeightTensorInfo[], spec: PartitionSpec = {}): Partition {
  const s = { ...DEFAULT_PARTITION, ...spec };
  if (s.unknown !== 'tensor' && s.unknown !== 'skip') {
    throw new Error(`partition.unknown must be 'tensor' or 'skip'; got ${String(s.unknown)}`);
  }
  const byLayer = new Map<string, WeightTensorInfo[]>();
  for (const t of tensors) {
    if (!byLayer.has(t.layer)) byLayer.set(t.layer, []);
    byLayer.get(t.layer)!.push(t);
  }
  for (const name of Object.keys(s.layers ?? {})) {
    if (!byLayer.has(name)) {
      throw new Error(
        `partition.layers names '${name}', which is not a layer with trainable weights; layers: ${[...byLayer.keys()].join(', ')}`,
      );
    }
  }
  const def = resolveLayerPartition(s.default, 'partition.default');
  const totalWeights = tensors.reduce((a, t) => Math.max(a, t.offset + t.size), 0);
  const groups: WeightGroup[] = [];
  const notes: string[] = [];
  if (def.kind === 'network') {
    if (Object.keys(s.layers ?? {}).length > 0) {
      throw new Error("partition.default 'network' puts every weight in one group; it cannot be combined with partition.layers");
    }
    groups.push({ id: 'network', layer: '*', kind: 'network', indices: range(0, totalWeights) });
    return { tensors, groups, totalWeights, coveredWeights: totalWeights, notes };
  }
  for (const [layer, ts] of byLayer) {
    const override = s.layers?.[layer];
    const p = override !== undefined ? resolveLayerPartition(override, `partition.layers.${layer}`) : def;
    if (p.kind === 'network') throw new Error(`partition.layers.${layer}: 'network' is only valid as partition.default`);
    if (p.kind === 'skip') {
      notes.push(`layer ${layer}: skipped (partition 'skip')`);
      continue;
    }
    const cls = ts[0].layerClass;
    if (p.kind === 'layer') {
      const idx: number[] = [];
      for (const t of ts) for (let i = 0; i < t.size; i++) idx.push(t.offset + i);
      groups.push({ id: `${layer}/layer`, layer, kind: 'layer', indices: Int32Array.from(idx) });
      continue;
    }
    if (p.kind === 'single') {
      for (const t of ts) {
        for (let i = 0; i < t.size; i++) {
          groups.push({ id: `${t.name}[${i}]`, layer, kind: 'single', indices: Int32Array.of(t.offset + i) });
        }
      }
      continue;
    }
    // node / quasi-node
    const kernel = ts.find((t) => t.role === 'kernel');
    const bias = ts.find((t) => t.role === 'bias');
    const others = ts.filter((t) => t !== kernel && t !== bias);
    if (!NODE_LAYERS.has(cls) || !kernel) {
      if (s.unknown === 'skip') {
        notes.push(`layer ${layer} (${cls}): not a Dense or Conv2D layer, skipped`);
      } else {
        notes.push(`layer ${layer} (${cls}): not a Dense or Conv2D layer, each of its ${ts.length} weight tensors is its own group`);
        for (const t of ts) pushTensor(groups, t);
      }
      continue;
    }
    const out = kernel.shape[kernel.shape.length - 1];
    const fanIn = kernel.size / out;
    for (let j = 0; j < out; j++) {
      const idx = new Int32Array(fanIn + (bias ? 1 : 0));
      for (let i = 0; i < fanIn; i++) idx[i] = kernel.offset + i * out + j;
      if (bias) idx[fanIn] = bias.offset + j;
      if (p.kind === 'node') {
        groups.push({ id: `${layer}/node${j}`, layer, kind: 'node', indices: idx });
      } else {
        for (let c = 0, k = 0; c < idx.length; c += p.q, k++) {
          groups.push({ id: `${layer}/node${j}:q${k}`, layer, kind: 'quasi-node', indices: idx.slice(c, c + p.q) });
        }
      }
    }
    for (const t of others) pushTensor(groups, t);
  }
  const coveredWeights = groups.reduce((a, g) => a + g.indices.length, 0);
  return { tensors, groups, totalWeights, coveredWeights, notes };
}

function pushTensor(groups: WeightGroup[], t: WeightTensorInfo): void {
  const kind: GroupKind = 'tensor';
  groups.push({ id: t.name, layer: t.layer, kind, indices: range(t.offset, t.offset + t.size) });
}

function range(from: number, to: number): Int32Array {
  const a = new Int32Array(to - from);
  for (let i = 0; i < a.length; i++) a[i] = from + i;
  return a;
}

/** The group's coordinates taken from the flat weight vector. */
export function gatherGroup(flat: ArrayLike<number>, group: WeightGroup, out = new Float64Array(group.indices.length)): Float64Array {
  const idx = group.indices;
  for (let i = 0; i < idx.length; i++) out[i] = flat[idx[i]];
  return out;
}

/** Writes the group's coordinates back into the flat weight vector (Float32: exact for float32-born values). */
export function scatterGroup(flat: Float32Array | Float64Array, group: WeightGroup, values: ArrayLike<number>): void {
  const idx = group.indices;
  if (values.length !== idx.length) {
    throw new Error(`group ${group.id} has ${idx.length} coordinates; got ${values.length} values`);
  }
  for (let i = 0; i < idx.length; i++) flat[idx[i]] = values[i];
}
