import * as tf from '@tensorflow/tfjs';
import { PAPER_PROBLEM, type OscillatorProblem } from './problem.js';

/** Layer names of the solver network (the quasi-node partition names the first). */
export const LAYER_NAMES = Object.freeze(['hidden1', 'hidden2', 'output'] as const);

/** Hidden widths of the paper's 1 → 10 → 10 → 2 network. */
export const HIDDEN_UNITS = 10;

/**
 * The solver network 1 → 10 → 10 → 2 (sigmoid hidden layers, linear output; 20, 110 and 22
 * weights), initialised like PyTorch's `nn.Linear` (kernel and bias uniform in ±1/√fan_in) from
 * seeded initialisers, so one seed gives the same network every time.
 */
export function buildSolverNet(seed: number): tf.Sequential {
  const model = tf.sequential();
  const dims = [1, HIDDEN_UNITS, HIDDEN_UNITS, 2];
  for (let l = 0; l < 3; l++) {
    const bound = 1 / Math.sqrt(dims[l]);
    const init = (k: number) => tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: seed * 1009 + 2 * l + k });
    model.add(
      tf.layers.dense({
        units: dims[l + 1],
        activation: l < 2 ? 'sigmoid' : 'linear',
        name: LAYER_NAMES[l],
        kernelInitializer: init(0),
        biasInitializer: init(1),
        ...(l === 0 ? { inputShape: [1] } : {}),
      }),
    );
  }
  return model;
}

/** A dense layer's kernel and bias as the live tf.Variables (what the optimizer updates). */
function denseVariables(layer: tf.layers.Layer): [tf.Variable, tf.Variable] {
  const w = layer.trainableWeights;
  if (w.length !== 2) throw new Error(`layer ${layer.name}: expected a kernel and a bias, got ${w.length} weights`);
  return [w[0].read() as tf.Variable, w[1].read() as tf.Variable];
}

const activations = new WeakMap<tf.layers.Layer, string>();

/** A layer's activation name, read once from its config. */
function activationOf(layer: tf.layers.Layer): string {
  let a = activations.get(layer);
  if (a === undefined) {
    a = String((layer.getConfig() as { activation?: string }).activation ?? 'linear');
    activations.set(layer, a);
  }
  return a;
}

/** The trainable variables of the network, in model order: the optimizer's var list. */
export function solverVariables(model: tf.LayersModel): tf.Variable[] {
  return model.layers.flatMap((l) => denseVariables(l));
}

export interface ValueAndRate {
  /** Network output N(t), shape [n, 2]. */
  value: tf.Tensor2D;
  /** dN/dt, exact, shape [n, 2]. */
  rate: tf.Tensor2D;
}

/**
 * Forward-mode differentiation in t through a stack of dense layers: each layer maps a
 * (value, d/dt) pair, z = hW + b, ż = ḣW, then σ(z) and σ'(z)ż = σ(1−σ)ż for sigmoid layers.
 * Built from tf ops only, so tf's reverse-mode autodiff of anything computed from the result
 * gives exact weight gradients in one pass. `t` has shape [n, 1] (dt/dt = 1).
 */
export function forwardWithRate(model: tf.LayersModel, t: tf.Tensor2D): ValueAndRate {
  return tf.tidy(() => {
    let h: tf.Tensor2D = t;
    // ṫ = 1: the first layer's ż is its kernel row itself ([1, units], broadcast over the batch).
    let hd: tf.Tensor2D | null = null;
    for (const layer of model.layers) {
      const [W, b] = denseVariables(layer);
      const z = tf.add(tf.matMul(h, W as tf.Tensor2D), b) as tf.Tensor2D;
      const zd: tf.Tensor2D = hd === null ? (W as tf.Tensor2D) : tf.matMul(hd, W as tf.Tensor2D);
      const act = activationOf(layer);
      if (act === 'sigmoid') {
        const s = tf.sigmoid(z);
        h = s;
        hd = tf.mul(tf.mul(s, tf.sub(1, s)), zd) as tf.Tensor2D;
      } else if (act === 'linear') {
        h = z;
        hd = zd;
      } else {
        throw new Error(`layer ${layer.name}: activation '${act}' is not supported by the forward-mode pass (sigmoid or linear)`);
      }
    }
    if (hd === null) throw new Error('forwardWithRate: the model has no layers');
    const rate = hd.shape[0] === h.shape[0] ? hd : (tf.broadcastTo(hd, h.shape) as tf.Tensor2D);
    return { value: h, rate };
  });
}

export interface SolverOutputs {
  x: tf.Tensor2D;
  p: tf.Tensor2D;
  dx: tf.Tensor2D;
  dp: tf.Tensor2D;
}

/**
 * x̂ = x0 + (1 − e^{−t})·N₁(t), p̂ = p0 + (1 − e^{−t})·N₂(t) and their exact time derivatives
 * (product rule on top of {@link forwardWithRate}); all shaped [n, 1].
 */
export function solverOutputs(model: tf.LayersModel, t: tf.Tensor2D, problem: OscillatorProblem = PAPER_PROBLEM): SolverOutputs {
  return tf.tidy(() => {
    const { value, rate } = forwardWithRate(model, t);
    const e = tf.exp(tf.neg(t));
    const f = tf.sub(1, e);
    const [n1, n2] = tf.split(value, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const [r1, r2] = tf.split(rate, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return {
      x: tf.add(problem.x0, tf.mul(f, n1)) as tf.Tensor2D,
      p: tf.add(problem.p0, tf.mul(f, n2)) as tf.Tensor2D,
      dx: tf.add(tf.mul(e, n1), tf.mul(f, r1)) as tf.Tensor2D,
      dp: tf.add(tf.mul(e, n2), tf.mul(f, r2)) as tf.Tensor2D,
    };
  });
}

/**
 * The Hamiltonian-network loss mean((dx̂/dt − p̂)²) + mean((dp̂/dt + x̂ + λx̂³)²), x̂³ written as
 * x̂·x̂·x̂ (tf.pow's gradient is NaN for a negative base on the cpu backend).
 */
export function physicsLoss(model: tf.LayersModel, t: tf.Tensor2D, problem: OscillatorProblem = PAPER_PROBLEM): tf.Scalar {
  return tf.tidy(() => {
    const { x, p, dx, dp } = solverOutputs(model, t, problem);
    const r1 = tf.sub(dx, p);
    const cube = tf.mul(tf.mul(x, x), x);
    const r2 = tf.add(tf.add(dp, x), tf.mul(problem.lambda, cube));
    return tf.add(tf.mean(tf.square(r1)), tf.mean(tf.square(r2))) as tf.Scalar;
  });
}

/** The physics loss of the current weights as a number (no gradient). */
export function physicsLossValue(model: tf.LayersModel, t: tf.Tensor2D, problem: OscillatorProblem = PAPER_PROBLEM): number {
  const l = physicsLoss(model, t, problem);
  const v = l.dataSync()[0];
  l.dispose();
  return v;
}

/** x̂(t), p̂(t) of the current weights at the given times. */
export function solve(model: tf.LayersModel, times: ArrayLike<number>, problem: OscillatorProblem = PAPER_PROBLEM): { x: Float64Array; p: Float64Array } {
  const t = tf.tensor2d(Float32Array.from(times), [times.length, 1]);
  const o = solverOutputs(model, t, problem);
  const out = { x: Float64Array.from(o.x.dataSync()), p: Float64Array.from(o.p.dataSync()) };
  tf.dispose([t, o.x, o.p, o.dx, o.dp]);
  return out;
}
