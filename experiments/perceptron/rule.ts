/**
 * The perceptron of seed 004, Sec. S8, as pure functions. Weights are held in the tfjs Dense
 * kernel layout, K[i·outputs + j] = weight from input i to output j, so a flat weight vector is
 * exactly what `readWeights` / `writeWeights` move in and out of a `dense({ useBias: false })` layer.
 */

/** Inputs and outputs of the seed's task: output j is the OR of the j-th half of the inputs. */
export interface PerceptronShape {
  inputs: number;
  outputs: number;
}

/** The threshold of the step activation (eq. 10: active iff w·x > 1). */
export const STEP_THRESHOLD = 1;

/** f(u) = 1 if u > 1, else 0 (eq. 10). */
export function step(u: number): number {
  return u > STEP_THRESHOLD ? 1 : 0;
}

/** The target of output j: 1 iff some input of the j-th block of inputs/outputs inputs is active. Cost O(inputs). */
export function target(x: ArrayLike<number>, j: number, shape: PerceptronShape): number {
  const block = shape.inputs / shape.outputs;
  for (let i = j * block; i < (j + 1) * block; i++) if (x[i] > 0) return 1;
  return 0;
}

/** ŷ_j = f(Σ_i K[i][j] x_i) for every output j, written into `out`. Cost O(inputs·outputs). */
export function forward(K: ArrayLike<number>, x: ArrayLike<number>, shape: PerceptronShape, out: Float64Array): Float64Array {
  for (let j = 0; j < shape.outputs; j++) {
    let u = 0;
    for (let i = 0; i < shape.inputs; i++) u += K[i * shape.outputs + j] * x[i];
    out[j] = step(u);
  }
  return out;
}

/**
 * One step of the perceptron learning rule (eq. 11): e = (ŷ − y)·xᵀ, Δw = −η·e, applied to K in
 * place. Returns how many outputs were wrong on this input (the step's training error) and
 * whether any weight changed. Cost O(inputs·outputs).
 */
export function perceptronStep(
  K: Float32Array | Float64Array,
  x: ArrayLike<number>,
  lr: number,
  shape: PerceptronShape,
  scratch: Float64Array = new Float64Array(shape.outputs),
): { wrong: number; changed: boolean } {
  forward(K, x, shape, scratch);
  let wrong = 0;
  let changed = false;
  for (let j = 0; j < shape.outputs; j++) {
    const e = scratch[j] - target(x, j, shape);
    if (e === 0) continue;
    wrong++;
    for (let i = 0; i < shape.inputs; i++) {
      if (x[i] === 0) continue;
      K[i * shape.outputs + j] -= lr * e * x[i];
      changed = true;
    }
  }
  return { wrong, changed };
}

/** Every binary input pattern with its probability when each input is active with probability p. */
export function inputPatterns(inputs: number, p: number): { x: Float64Array; prob: number }[] {
  const out: { x: Float64Array; prob: number }[] = [];
  for (let m = 0; m < 1 << inputs; m++) {
    const x = new Float64Array(inputs);
    let prob = 1;
    for (let i = 0; i < inputs; i++) {
      x[i] = (m >> i) & 1;
      prob *= x[i] ? p : 1 - p;
    }
    out.push({ x, prob });
  }
  return out;
}

/**
 * Expected share of wrong outputs (0…1) over the input distribution, computed exactly over all
 * 2^inputs patterns. Cost O(2^inputs · inputs · outputs).
 */
export function expectedError(K: ArrayLike<number>, patterns: { x: Float64Array; prob: number }[], shape: PerceptronShape): number {
  const y = new Float64Array(shape.outputs);
  let err = 0;
  for (const { x, prob } of patterns) {
    forward(K, x, shape, y);
    let wrong = 0;
    for (let j = 0; j < shape.outputs; j++) if (y[j] !== target(x, j, shape)) wrong++;
    err += (prob * wrong) / shape.outputs;
  }
  return err;
}

/** Draws an input: each unit active (1) with probability p. */
export function sampleInput(rand: () => number, p: number, out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = rand() < p ? 1 : 0;
  return out;
}
