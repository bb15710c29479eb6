import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cabs } from '../src/linalg/complex.js';
import { eigen } from '../src/linalg/eigen.js';
import { kann, lastStep } from '../plugins/kann/index.js';
import { rng } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A linear SimpleRNN hₜ = xₜ·W + hₜ₋₁·U (no bias): the column-convention A is Uᵀ. */
function linearRnn(k: number, m: number, steps: number, returnSequences: boolean, seed: number) {
  const r = rng(seed);
  // U = 0.9·(rotation-ish random) scaled to spectral radius < 1
  const U = Array.from({ length: k * k }, () => (r() - 0.5) * 0.6);
  const W = Array.from({ length: m * k }, () => r() - 0.5);
  const model = tf.sequential();
  const rnn = tf.layers.simpleRNN({ units: k, activation: 'linear', useBias: false, returnSequences, inputShape: [steps, m], name: 'rnn' });
  model.add(rnn);
  if (returnSequences) model.add(lastStep());
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'readout' }));
  rnn.setWeights([tf.tensor2d(W, [m, k]), tf.tensor2d(U, [k, k])]);
  return { model, U, k, m };
}

/** Inputs random for the first `prefix` steps, zero afterwards. */
function inputs(samples: number, steps: number, m: number, prefix: number, seed: number): tf.Tensor3D {
  const r = rng(seed);
  const x = new Float32Array(samples * steps * m);
  for (let s = 0; s < samples; s++) for (let t = 0; t < prefix; t++) for (let j = 0; j < m; j++) x[(s * steps + t) * m + j] = 2 * r() - 1;
  return tf.tensor3d(x, [samples, steps, m]);
}

describe('kann() on a tfjs SimpleRNN', () => {
  it('finds the eigenvalues of the recurrent matrix, agreement 1, flat tensor count', () => {
    const steps = 20;
    const { model, U, k, m } = linearRnn(5, 2, steps, true, 7);
    const x = inputs(16, steps, m, 4, 3);
    const dense = model.getLayer('readout');
    const before = tf.memory().numTensors;
    const report = kann(model, x, { start: 4, readout: (h) => dense.apply(h) as tf.Tensor });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.layer).toBe('rnn');
    expect(kann(model, x, { start: 4 }).layer).toBe('rnn'); // the default: the last recurrent layer
    expect(report.states.steps).toBe(steps);
    const truth = eigen(U, k).values.map(cabs).sort((a, b) => b - a);
    report.eigenvalues.map(cabs).forEach((a, j) => expect(Math.abs(a - truth[j])).toBeLessThan(1e-4));
    expect(report.eRel).toBeLessThan(1e-8);
    expect(report.agreement).toBe(1);
    expect(report.decisions?.true.length).toBe(16);
    expect(report.projections.which).toEqual([0, 1, 2, 3]);
    expect(report.projections.data.length).toBe(16 * steps * 4);
    x.dispose();
    model.dispose();
  });

  it('fitSamples: C from the first sequences reproduces the others (linear system: e_rel ≈ 0 on all)', () => {
    const steps = 12;
    const { model, m } = linearRnn(4, 2, steps, true, 9);
    const x = inputs(10, steps, m, 3, 5);
    const report = kann(model, x, { start: 3, fitSamples: 4 });
    expect(report.fit.pairs).toBe(4 * (steps - 3 - 1));
    expect(report.eRel).toBeLessThan(1e-8);
    expect(report.eRelCount).toBe(10 * (steps - 4));
    expect(() => kann(model, x, { fitSamples: 11 })).toThrow(/fitSamples 11 exceeds the 10 sequences given/);
    x.dispose();
    model.dispose();
  });

  it('rejects a layer that does not return sequences, naming it', () => {
    const { model, m } = linearRnn(4, 2, 6, false, 1);
    const x = inputs(4, 6, m, 2, 1);
    expect(() => kann(model, x, { layer: 'rnn' })).toThrow(
      "layer 'rnn' does not return sequences (returnSequences: false): KANN needs its hidden state at every step; build it with returnSequences: true",
    );
    expect(() => kann(model, x)).toThrow(/no layer of the model outputs a sequence/);
    x.dispose();
    model.dispose();
  });

  it('rejects too few time steps for the rank, unknown keys and unknown layers', () => {
    const { model, m } = linearRnn(6, 2, 3, true, 2);
    const x = inputs(2, 3, m, 3, 1);
    expect(() => kann(model, x, { rank: 6 })).toThrow(/too few time steps for rank 6: C needs at least 6 state pairs, got samples·\(steps − 1\) = 2·2 = 4/);
    expect(() => kann(model, x, { rnak: 2 } as never)).toThrow(/unknown kann option 'rnak'/);
    expect(() => kann(model, x, { layer: 'gru' })).toThrow(/layer 'gru' is not in the model/);
    x.dispose();
    model.dispose();
  });
});
