import { mulberry32 } from '../../src/linalg/random.js';

/** How a synthetic beat departs from a normal one. */
export type BeatKind = 'normal' | 'missing' | 'widened' | 'extra';

/**
 * ECG-like beats (the stand-in for ECG5000): a normal beat is a sum of five Gaussian-shaped peaks
 * at the positions of the P, Q, R, S and T waves (centres 0.18, 0.35, 0.40, 0.45, 0.68 of the beat;
 * amplitudes 0.15, −0.15, 1.0, −0.3, 0.3; standard deviations 0.04, 0.02, 0.025, 0.02, 0.06 of the
 * beat, so the QRS complex spans about an eighth of it as in a real beat), each centre
 * jittered by N(0, 0.008), amplitude by ±10 %, width by ±10 %, plus N(0, 0.02) noise. Anomalies:
 * `missing` drops the P or the T wave, `widened` multiplies the Q, R and S widths by 2.5, `extra`
 * adds a second R-like peak at a random place in [0.55, 0.9]. Every beat is z-normalised, as ECG5000's
 * series are.
 */
const WAVES = [
  { c: 0.18, a: 0.15, w: 0.04 },
  { c: 0.35, a: -0.15, w: 0.02 },
  { c: 0.4, a: 1.0, w: 0.025 },
  { c: 0.45, a: -0.3, w: 0.02 },
  { c: 0.68, a: 0.3, w: 0.06 },
];

export interface BeatData {
  x: Float32Array;
  samples: number;
  steps: number;
  kinds: BeatKind[];
}

export function beatData(samples: number, steps: number, kinds: BeatKind[], seed: number): BeatData {
  const r = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const x = new Float32Array(samples * steps);
  const out: BeatKind[] = [];
  for (let s = 0; s < samples; s++) {
    const kind = kinds[Math.floor(r() * kinds.length)];
    out.push(kind);
    const waves = WAVES.map((w) => ({ c: w.c + 0.008 * gauss(), a: w.a * (0.9 + 0.2 * r()), w: w.w * (0.9 + 0.2 * r()) }));
    if (kind === 'missing') waves[r() < 0.5 ? 0 : 4].a = 0;
    if (kind === 'widened') for (const i of [1, 2, 3]) waves[i].w *= 2.5;
    if (kind === 'extra') waves.push({ c: 0.55 + 0.35 * r(), a: 0.8 * (0.9 + 0.2 * r()), w: 0.025 });
    const v = new Float64Array(steps);
    let mean = 0;
    for (let t = 0; t < steps; t++) {
      const u = t / (steps - 1);
      let acc = 0.02 * gauss();
      for (const w of waves) acc += w.a * Math.exp(-0.5 * ((u - w.c) / w.w) ** 2);
      v[t] = acc;
      mean += acc;
    }
    mean /= steps;
    let sd = 0;
    for (let t = 0; t < steps; t++) sd += (v[t] - mean) ** 2;
    sd = Math.sqrt(sd / steps) || 1;
    for (let t = 0; t < steps; t++) x[s * steps + t] = (v[t] - mean) / sd;
  }
  return { x, samples, steps, kinds: out };
}
