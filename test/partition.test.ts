import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gatherGroup, partitionWeights, scatterGroup } from '../src/partition/index.js';
import { describeModel, readWeights, writeWeights } from '../src/tfjs/index.js';
import { TrajectoryRecorder } from '../src/trajectory/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function mnistMlp(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [784], units: 20, activation: 'relu', name: 'd1' }));
  m.add(tf.layers.dense({ units: 20, activation: 'relu', name: 'd2' }));
  m.add(tf.layers.dense({ units: 20, activation: 'relu', name: 'd3' }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'd4' }));
  return m;
}

describe('partitions of a 784-20-20-20-10 MLP', () => {
  it('node gives 70 groups of fan-in + 1 weights', () => {
    const m = mnistMlp();
    const p = partitionWeights(describeModel(m), { default: 'node' });
    expect(p.groups).toHaveLength(70);
    expect(p.groups[0].indices).toHaveLength(785);
    expect(p.groups[20].indices).toHaveLength(21);
    expect(p.coveredWeights).toBe(p.totalWeights);
    expect(p.totalWeights).toBe(785 * 20 + 21 * 20 + 21 * 20 + 21 * 10);
  });

  it('quasi-node q = 157 on the first layer gives 100 + 50 groups', () => {
    const m = mnistMlp();
    const p = partitionWeights(describeModel(m), { default: 'node', layers: { d1: { kind: 'quasi-node', q: 157 } } });
    expect(p.groups.filter((g) => g.layer === 'd1')).toHaveLength(100);
    expect(p.groups.filter((g) => g.layer !== 'd1')).toHaveLength(50);
    expect(p.groups.filter((g) => g.layer === 'd1').every((g) => g.indices.length === 157)).toBe(true);
  });

  it('node j is [K[:, j]; b[j]] in the flat vector', () => {
    const m = mnistMlp();
    const info = describeModel(m);
    const p = partitionWeights(info, {});
    const flat = readWeights(m);
    const K = (m.getLayer('d2').getWeights()[0].arraySync() as number[][]);
    const b = m.getLayer('d2').getWeights()[1].arraySync() as number[];
    const g = p.groups.find((x) => x.id === 'd2/node7')!;
    const v = gatherGroup(flat, g);
    for (let i = 0; i < 20; i++) expect(v[i]).toBe(Math.fround(K[i][7]));
    expect(v[20]).toBe(Math.fround(b[7]));
  });

  it('layer, single and network kinds, and a q that does not divide the node', () => {
    const info = describeModel(mnistMlp());
    expect(partitionWeights(info, { default: 'layer' }).groups).toHaveLength(4);
    expect(partitionWeights(info, { default: 'network' }).groups).toHaveLength(1);
    const single = partitionWeights(info, { default: 'skip', layers: { d4: 'single' } });
    expect(single.groups).toHaveLength(210);
    expect(single.notes).toContain('layer d1: skipped (partition \'skip\')');
    const q = partitionWeights(info, { default: 'skip', layers: { d4: { kind: 'quasi-node', q: 8 } } });
    // 21 = 8 + 8 + 5 per node, 10 nodes
    expect(q.groups).toHaveLength(30);
    expect(q.groups[2].indices).toHaveLength(5);
  });

  it('flattening into groups and writing back round-trips bit-exactly', () => {
    const m = mnistMlp();
    const p = partitionWeights(describeModel(m), { layers: { d1: { kind: 'quasi-node', q: 157 } } });
    const before = readWeights(m);
    const rebuilt = new Float32Array(before.length);
    for (const g of p.groups) scatterGroup(rebuilt, g, gatherGroup(before, g));
    expect(Buffer.from(rebuilt.buffer).equals(Buffer.from(before.buffer))).toBe(true);
    const n0 = tf.memory().numTensors;
    writeWeights(m, rebuilt);
    expect(tf.memory().numTensors).toBe(n0);
    const after = readWeights(m);
    expect(Buffer.from(after.buffer).equals(Buffer.from(before.buffer))).toBe(true);
  });
});

describe('Conv2D and unknown layers', () => {
  it('a Conv2D layer partitions by output channel; unknown layers become tensor groups', () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, name: 'c1' }));
    m.add(tf.layers.batchNormalization({ name: 'bn' }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 2, name: 'out' }));
    const p = partitionWeights(describeModel(m), {});
    const conv = p.groups.filter((g) => g.layer === 'c1');
    expect(conv).toHaveLength(4);
    expect(conv[0].indices).toHaveLength(3 * 3 * 3 + 1);
    // channel 2 of the kernel [3,3,3,4] sits at flat positions i*4 + 2
    expect(conv[2].indices[0]).toBe(2);
    expect(conv[2].indices[1]).toBe(6);
    const bn = p.groups.filter((g) => g.layer === 'bn');
    expect(bn.map((g) => g.kind)).toEqual(['tensor', 'tensor']);
    expect(p.notes.join()).toMatch(/layer bn \(BatchNormalization\): not a Dense or Conv2D layer/);
    const skipped = partitionWeights(describeModel(m), { unknown: 'skip' });
    expect(skipped.groups.filter((g) => g.layer === 'bn')).toHaveLength(0);
  });
});

describe('partition bad input', () => {
  const info = describeModel(mnistMlp());
  it('names the option and the accepted values', () => {
    expect(() => partitionWeights(info, { default: 'neuron' as never })).toThrow(
      "partition.default: unknown partition kind 'neuron'; accepted: single, node, quasi-node, layer, network, skip",
    );
    expect(() => partitionWeights(info, { layers: { d1: { kind: 'quasi-node', q: 0 } } })).toThrow(
      'partition.layers.d1: quasi-node needs an integer q ≥ 1 (chunk length); got 0',
    );
    expect(() => partitionWeights(info, { layers: { d1: { kind: 'quasi-node' } } })).toThrow(/got undefined/);
    expect(() => partitionWeights(info, { layers: { nope: 'node' } })).toThrow(/partition.layers names 'nope'/);
    expect(() => partitionWeights(info, { default: 'network', layers: { d1: 'node' } })).toThrow(/cannot be combined/);
  });
});

describe('TrajectoryRecorder', () => {
  const groups = partitionWeights(describeModel(mnistMlp()), { default: 'skip', layers: { d4: 'node' } }).groups;
  const total = 785 * 20 + 21 * 20 + 21 * 20 + 21 * 10;
  it('states its memory up front and keeps only the window, oldest first', () => {
    const rec = new TrajectoryRecorder({ groups, capacity: 5, dtype: 'float64' });
    expect(rec.bytes).toBe(210 * 5 * 8);
    expect(new TrajectoryRecorder({ groups, capacity: 5 }).bytes).toBe(210 * 5 * 4);
    const flat = new Float32Array(total);
    for (let step = 0; step < 8; step++) {
      flat.fill(step);
      rec.record(step, flat);
    }
    expect(rec.count).toBe(5);
    expect(rec.recordedSteps).toEqual([3, 4, 5, 6, 7]);
    const rows = rec.rows(0);
    expect(Array.from(rows.subarray(0, 5))).toEqual([3, 4, 5, 6, 7]);
    expect(Array.from(rec.latest(3))).toEqual(new Array(21).fill(7));
  });

  it('records every k-th step', () => {
    const rec = new TrajectoryRecorder({ groups, capacity: 4, every: 3 });
    const flat = new Float32Array(total);
    for (let step = 0; step < 10; step++) rec.record(step, flat);
    expect(rec.recordedSteps).toEqual([0, 3, 6, 9]);
  });

  it('refuses non-finite weights naming layer, group and step, keeping earlier snapshots', () => {
    const rec = new TrajectoryRecorder({ groups, capacity: 4 });
    const flat = new Float32Array(total);
    rec.record(0, flat);
    flat[groups[3].indices[2]] = NaN;
    expect(() => rec.record(1, flat)).toThrow('non-finite weight (NaN) in layer d4 (group d4/node3, coordinate 2) at step 1; snapshot not recorded');
    expect(rec.count).toBe(1);
  });

  it('rejects bad options', () => {
    expect(() => new TrajectoryRecorder({ groups, capacity: 1 })).toThrow('recorder: capacity must be an integer ≥ 2; got 1');
    expect(() => new TrajectoryRecorder({ groups, capacity: 4, every: 0 })).toThrow(/every must be an integer ≥ 1/);
    expect(() => new TrajectoryRecorder({ groups, capacity: 4, dtype: 'float16' as never })).toThrow(/dtype must be 'float32' or 'float64'/);
  });
});

describe('FixedAdadelta', () => {
  it('follows Zeiler/PyTorch: the first step uses the updated squared-gradient average', async () => {
    const { FixedAdadelta } = await import('../src/tfjs/adadelta.js');
    const v = tf.variable(tf.tensor1d([1, -2]));
    const opt = new FixedAdadelta(1.0, 0.9, 1e-6);
    // reference in plain JS for f(w) = Σ w², g = 2w
    const w = [1, -2];
    const eg = [0, 0];
    const ed = [0, 0];
    for (let step = 0; step < 5; step++) {
      opt.minimize(() => v.square().sum() as tf.Scalar, false, [v]);
      for (let i = 0; i < 2; i++) {
        const g = 2 * w[i];
        eg[i] = 0.9 * eg[i] + 0.1 * g * g;
        const d = (Math.sqrt(ed[i] + 1e-6) / Math.sqrt(eg[i] + 1e-6)) * g;
        ed[i] = 0.9 * ed[i] + 0.1 * d * d;
        w[i] -= d;
      }
      const got = v.dataSync();
      expect(got[0]).toBeCloseTo(w[0], 5);
      expect(got[1]).toBeCloseTo(w[1], 5);
    }
    // the first step is small (≈ √ε/√(0.1·g²)·g ≈ 3e-3), unlike tfjs's built-in (the whole gradient)
    const ref = tf.variable(tf.tensor1d([1]));
    const builtin = tf.train.adadelta(1.0, 0.9, 1e-6);
    builtin.minimize(() => ref.square().sum() as tf.Scalar, false, [ref]);
    expect(ref.dataSync()[0]).toBeCloseTo(1 - 2, 5);
    tf.dispose([v, ref]);
    opt.dispose();
    builtin.dispose();
  });
});
