import { mulberry32 } from '../src/linalg/random.js';

/** Deterministic pseudo-random numbers for tests. */
export const rng = mulberry32;

export function matVec(A: ArrayLike<number>, x: ArrayLike<number>, n: number): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
    y[i] = s;
  }
  return y;
}

export function matMul(A: ArrayLike<number>, B: ArrayLike<number>, n: number): Float64Array {
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) C[i * n + j] += A[i * n + k] * B[k * n + j];
  return C;
}

/** Inverse of a small well-conditioned matrix by Gauss–Jordan (test helper only). */
export function inverse(A: ArrayLike<number>, n: number): Float64Array {
  const M = Array.from({ length: n }, (_, i) => [
    ...Array.from({ length: n }, (_, j) => A[i * n + j]),
    ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  ]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(M[i][c]) > Math.abs(M[p][c])) p = i;
    [M[c], M[p]] = [M[p], M[c]];
    const piv = M[c][c];
    for (let j = 0; j < 2 * n; j++) M[c][j] /= piv;
    for (let i = 0; i < n; i++) {
      if (i === c) continue;
      const f = M[i][c];
      for (let j = 0; j < 2 * n; j++) M[i][j] -= f * M[c][j];
    }
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = M[i][n + j];
  return out;
}

export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** n samples of a seeded 3 → 2 regression (y = [x₀ − x₁ + 0.3, 2x₂ − 0.1]), the plugin tests' data. */
export function regressionData(tfjs: typeof import('@tensorflow/tfjs'), n: number, seed = 5) {
  const r = rng(seed);
  const X = Array.from({ length: n }, () => [r() - 0.5, r() - 0.5, r() - 0.5]);
  const Y = X.map((x) => [x[0] - x[1] + 0.3, x[2] * 2 - 0.1]);
  return { x: tfjs.tensor2d(X), y: tfjs.tensor2d(Y) };
}

/** The plugin tests' model: Dense 3→4 tanh ('h'), Dense 4→2 ('out'), seeded Glorot, SGD 0.1 on MSE. */
export function regressionModel(tfjs: typeof import('@tensorflow/tfjs'), seed = 1) {
  const m = tfjs.sequential();
  m.add(tfjs.layers.dense({ inputShape: [3], units: 4, activation: 'tanh', name: 'h', kernelInitializer: tfjs.initializers.glorotUniform({ seed }) }));
  m.add(tfjs.layers.dense({ units: 2, name: 'out', kernelInitializer: tfjs.initializers.glorotUniform({ seed: seed + 1 }) }));
  m.compile({ optimizer: tfjs.train.sgd(0.1), loss: 'meanSquaredError' });
  return m;
}
