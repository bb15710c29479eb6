import { mulberry32 } from '../../src/linalg/random.js';

/** The seed's multi-scale signal h(x) = x + sin(2πx⁴) on [0, 2]. */
export function multiscaleSignal(x: number): number {
  return x + Math.sin(2 * Math.PI * x ** 4);
}

/** A standard normal draw from two uniforms (Box–Muller). */
export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export interface NoisySignal {
  /** Grid x_j = 2j/n on [0, 2). */
  x: Float64Array;
  /** Torus positions θ_j = x_j/2. */
  theta: Float64Array;
  clean: Float64Array;
  noisy: Float64Array;
  /** Indices of the training points (ascending) and of the held-out ones. */
  train: Int32Array;
  test: Int32Array;
  /** Standard deviation of the noise: ε·(max h − min h). */
  sigma: number;
}

/**
 * The data set of the seed's experiment: h on n uniform points of [0, 2), plus
 * η = ε·(max h − min h)·N(0, 1) at every point (eq. 8), and a random train/test split.
 * `seed` fixes noise and split. Cost O(n).
 */
export function noisySignal(n: number, eps: number, trainFraction: number, seed: number): NoisySignal {
  const rand = mulberry32(seed);
  const x = Float64Array.from({ length: n }, (_, j) => (2 * j) / n);
  const theta = x.map((v) => v / 2);
  const clean = x.map(multiscaleSignal);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of clean) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const sigma = eps * (hi - lo);
  const noisy = clean.map((v) => v + sigma * gaussian(rand));
  const order = Array.from({ length: n }, (_, j) => j);
  for (let i = n - 1; i > 0; i--) {
    const k = Math.floor(rand() * (i + 1));
    [order[i], order[k]] = [order[k], order[i]];
  }
  const nTrain = Math.round(trainFraction * n);
  const train = Int32Array.from(order.slice(0, nTrain)).sort();
  const test = Int32Array.from(order.slice(nTrain)).sort();
  return { x, theta, clean, noisy, train, test, sigma };
}

/** ‖a − b‖ / ‖b‖ over the given indices (all when omitted). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>, idx?: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  const n = idx ? idx.length : a.length;
  for (let t = 0; t < n; t++) {
    const j = idx ? idx[t] : t;
    num += (a[j] - b[j]) ** 2;
    den += b[j] ** 2;
  }
  return Math.sqrt(num / den);
}
