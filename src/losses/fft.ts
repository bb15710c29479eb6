/**
 * Discrete Fourier coefficients of real samples on the unit torus, by an iterative radix-2 FFT
 * when the length is a power of two (cost O(n log n)) and by the direct sum otherwise (O(n²)).
 */

/** Re and Im of f̂(k) for k = 0…⌊n/2⌋. */
export interface HalfSpectrum {
  re: Float64Array;
  im: Float64Array;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** In-place complex FFT (forward, e^{−2πikn/N}, unnormalised) of length a power of two. Cost O(n log n). */
export function fftInPlace(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (im.length !== n) throw new Error(`fftInPlace: re and im lengths differ (${n} vs ${im.length})`);
  if (!isPowerOfTwo(n)) throw new Error(`fftInPlace: length must be a power of two; got ${n}`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len >> 1; k++) {
        const a = i + k;
        const b = a + (len >> 1);
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
}

/**
 * Fourier coefficients f̂(k) = (1/n) Σ_j f(j/n) e^{−2πikj/n}, k = 0…⌊n/2⌋, of n uniform samples of
 * a real function on 𝕋 = ℝ/ℤ (f̂(−k) is the conjugate of f̂(k)). With this normalisation f̂(k)
 * approximates ∫_𝕋 f(θ) e^{−2πikθ} dθ. Cost O(n log n) for n a power of two, O(n²) otherwise.
 */
export function realFourierCoefficients(values: ArrayLike<number>): HalfSpectrum {
  const n = values.length;
  if (n < 1) throw new Error('realFourierCoefficients: no samples');
  const half = Math.floor(n / 2);
  const out: HalfSpectrum = { re: new Float64Array(half + 1), im: new Float64Array(half + 1) };
  if (isPowerOfTwo(n)) {
    const re = Float64Array.from(values);
    const im = new Float64Array(n);
    fftInPlace(re, im);
    for (let k = 0; k <= half; k++) {
      out.re[k] = re[k] / n;
      out.im[k] = im[k] / n;
    }
    return out;
  }
  for (let k = 0; k <= half; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const a = (-2 * Math.PI * k * j) / n;
      sr += values[j] * Math.cos(a);
      si += values[j] * Math.sin(a);
    }
    out.re[k] = sr / n;
    out.im[k] = si / n;
  }
  return out;
}

/**
 * The real function on n uniform points whose coefficients are `spec` at the wave numbers in
 * `keep` (each k > 0 with its conjugate −k) and zero elsewhere: the Fourier projection onto those
 * modes. Cost O(n·|keep|).
 */
export function synthesize(spec: HalfSpectrum, keep: number[], n: number): Float64Array {
  const out = new Float64Array(n);
  for (const k of new Set(keep)) {
    if (!(Number.isInteger(k) && k >= 0 && k < spec.re.length)) throw new Error(`synthesize: wave number ${k} outside 0…${spec.re.length - 1}`);
    const mult = k === 0 || 2 * k === n ? 1 : 2;
    for (let j = 0; j < n; j++) {
      const a = (2 * Math.PI * k * j) / n;
      out[j] += mult * (spec.re[k] * Math.cos(a) - spec.im[k] * Math.sin(a));
    }
  }
  return out;
}
