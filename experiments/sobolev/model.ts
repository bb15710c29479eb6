import * as tf from '@tensorflow/tfjs';
import { realFourierCoefficients, synthesize, type HalfSpectrum } from '../../src/losses/fft.js';
import { layerScales } from '../../src/losses/sobolev.js';
import { sobolevLoss1, sobolevLoss2 } from '../../src/losses/tf-sobolev.js';
import type { NoisySignal } from './signal.js';
import type { SobolevLossName, SobolevSettings } from './settings.js';

/**
 * The seed's fully connected network: L hidden layers of `width` units and a single-node output
 * layer f_{L−1} = C_{L−1} z_{L−1} (+ bias). With `auxiliary`, every hidden layer ℓ < L−1 also gets
 * an auxiliary output f_ℓ = C_ℓ z_ℓ (a bias-free linear head, Sobolev loss 1), and the model's
 * outputs are [f_0, …, f_{L−1}]. Glorot-uniform weights seeded by `seed`.
 */
export function buildNetwork(s: SobolevSettings, auxiliary: boolean, seed: number): tf.LayersModel {
  const input = tf.input({ shape: [1] });
  let z: tf.SymbolicTensor = input;
  const outputs: tf.SymbolicTensor[] = [];
  for (let l = 0; l < s.layers; l++) {
    z = tf.layers
      .dense({ units: s.width, activation: s.activation, kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1000 + l }), name: `hidden${l}` })
      .apply(z) as tf.SymbolicTensor;
    if (auxiliary && l < s.layers - 1) {
      outputs.push(
        tf.layers
          .dense({ units: 1, useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1000 + 500 + l }), name: `aux${l}` })
          .apply(z) as tf.SymbolicTensor,
      );
    }
  }
  outputs.push(tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1000 + 999 }), name: 'output' }).apply(z) as tf.SymbolicTensor);
  return tf.model({ inputs: input, outputs });
}

/** Network input of grid point x ∈ [0, 2): x − 1, centred. */
export function networkInput(x: ArrayLike<number>, idx?: ArrayLike<number>): tf.Tensor2D {
  const n = idx ? idx.length : x.length;
  return tf.tensor2d(Float32Array.from({ length: n }, (_, t) => x[idx ? idx[t] : t] - 1), [n, 1]);
}

export interface TrainedReconstruction {
  /** The loss's reconstruction of h on the whole grid (see {@link reconstruct}). */
  reconstruction: Float64Array;
  /** The network's output f_{L−1} on the whole grid. */
  output: Float64Array;
  /** Sobolev loss 1 only: each layer's component P_{s(ℓ)} f_ℓ on the grid. */
  components: Float64Array[];
  finalLoss: number;
  seconds: number;
}

/**
 * Trains the network on the training points of `data` with `loss` — L² (mean squared error),
 * Sobolev loss 1 (eq. 6 at every layer's output) or Sobolev loss 2 (eq. 7 at the output) — by
 * full-batch Adam in a custom loop, and reconstructs h on the whole grid.
 */
export async function trainAndReconstruct(s: SobolevSettings, data: NoisySignal, loss: SobolevLossName, seed: number): Promise<TrainedReconstruction> {
  const t0 = performance.now();
  const aux = loss === 'sobolev1';
  const model = buildNetwork(s, aux, seed);
  const thetaTrain = Array.from(data.train, (j) => data.theta[j]);
  const fns = loss === 'sobolev1' ? sobolevLoss1(thetaTrain, s.layers, s.scale) : loss === 'sobolev2' ? [sobolevLoss2(thetaTrain, s.layers, s.scale)] : [];
  const optimizer = tf.train.adam(s.learningRate);
  const x = networkInput(data.x, data.train);
  const y = tf.tensor2d(Float32Array.from(data.train, (j) => data.noisy[j]), [data.train.length, 1]);
  const all = networkInput(data.x);
  // The objective of one full-batch step: the losses are the same (yTrue, yPred) functions that
  // model.compile takes (test/sobolev.test.ts trains through compile/fit); a custom loop with
  // optimizer.minimize is used here because fit()'s per-epoch overhead doubles the step time.
  const objective = (): tf.Scalar => {
    const out = model.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
    const heads = Array.isArray(out) ? out : [out];
    if (loss === 'l2') return tf.losses.meanSquaredError(y, heads[0]) as tf.Scalar;
    return tf.addN(heads.map((h, l) => fns[l](y, h))) as tf.Scalar;
  };
  try {
    let finalLoss = NaN;
    for (let t = 0; t < s.steps; t++) {
      const l = optimizer.minimize(objective, t === s.steps - 1);
      if (l) {
        finalLoss = l.dataSync()[0];
        l.dispose();
      }
    }
    const pred = model.predict(all) as tf.Tensor | tf.Tensor[];
    const heads = (Array.isArray(pred) ? pred : [pred]).map((t) => Float64Array.from(t.dataSync()));
    tf.dispose(pred);
    const output = heads[heads.length - 1];
    const { reconstruction, components } = reconstruct(loss, heads, s);
    return { reconstruction, output, components, finalLoss, seconds: (performance.now() - t0) / 1000 };
  } finally {
    tf.dispose([x, y, all]);
    fns.forEach((f) => f.dispose());
    optimizer.dispose();
    model.dispose();
  }
}

/**
 * The reconstruction of h each loss defines, from the heads evaluated on the uniform grid:
 * L² and Sobolev loss 2 — the network's output; Sobolev loss 1 — Σ_ℓ P_{s(ℓ)} f_ℓ, each layer
 * supplying the Fourier component of its own scale (its loss constrains nothing else of f_ℓ).
 * Cost O(L·n log n).
 */
export function reconstruct(loss: SobolevLossName, heads: Float64Array[], s: Pick<SobolevSettings, 'layers' | 'scale'>): { reconstruction: Float64Array; components: Float64Array[] } {
  const output = heads[heads.length - 1];
  if (loss !== 'sobolev1') return { reconstruction: output, components: [] };
  const shells = layerScales(s.layers, s.scale);
  if (heads.length !== shells.length) throw new Error(`reconstruct: Sobolev loss 1 needs ${shells.length} heads; got ${heads.length}`);
  const n = output.length;
  const components = heads.map((f, l) => synthesize(realFourierCoefficients(f), [shells[l]], n));
  const reconstruction = new Float64Array(n);
  for (const c of components) for (let j = 0; j < n; j++) reconstruction[j] += c[j];
  return { reconstruction, components };
}

/**
 * The baseline no network is needed for: the training data's own Fourier coefficients at the
 * shells s(0…L−1), estimated as (1/m) Σ_train ĥ(x_j) e^{−2πikθ_j}, summed back on the grid — the
 * minimiser of Sobolev loss 1 (and 2) over band-limited functions. Cost O(m·L + n·L).
 */
export function trainingFourierSeries(data: NoisySignal, s: Pick<SobolevSettings, 'layers' | 'scale'>): Float64Array {
  const shells = layerScales(s.layers, s.scale);
  const top = Math.max(...shells);
  const spec: HalfSpectrum = { re: new Float64Array(top + 1), im: new Float64Array(top + 1) };
  const m = data.train.length;
  for (const k of shells) {
    let re = 0;
    let im = 0;
    for (const j of data.train) {
      const a = 2 * Math.PI * k * data.theta[j];
      re += data.noisy[j] * Math.cos(a);
      im -= data.noisy[j] * Math.sin(a);
    }
    spec.re[k] = re / m;
    spec.im[k] = im / m;
  }
  return synthesize(spec, shells, data.x.length);
}
