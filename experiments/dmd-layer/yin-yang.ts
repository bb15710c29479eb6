import { mulberry32 } from '../../src/linalg/random.js';

/** The Yin-Yang classes of Kriener et al. (2021), in the order of their published data set. */
export const YIN_YANG_CLASSES = ['yin', 'yang', 'dot'] as const;

/** A Yin-Yang sample set: rows (x, y, 1 − x, 1 − y) and class labels. */
export interface YinYangSet {
  /** N × 4 inputs, row-major. */
  inputs: Float32Array;
  labels: Uint8Array;
}

/** Radii of the published construction: r_big = 0.5 (the disc), r_small = 0.1 (the dots). */
export const YIN_YANG_RADII = { big: 0.5, small: 0.1 } as const;

/**
 * Class of a point (x, y) inside the disc of the Yin-Yang figure (Kriener, Göltz & Petrovici,
 * "The Yin-Yang dataset", 2021): the dots (radius r_small around (r_big/2, r_big) and
 * (3r_big/2, r_big)) are class 2; yin is the right dot's inside, the ring around the left dot
 * up to r_big/2, and the upper half outside the right half-disc; the rest is yang.
 */
export function yinYangClass(x: number, y: number, rBig: number = YIN_YANG_RADII.big, rSmall: number = YIN_YANG_RADII.small): number {
  const dRight = Math.hypot(x - 1.5 * rBig, y - rBig);
  const dLeft = Math.hypot(x - 0.5 * rBig, y - rBig);
  if (dRight < rSmall || dLeft < rSmall) return 2;
  const yin = dRight <= rSmall || (dLeft > rSmall && dLeft <= 0.5 * rBig) || (y > rBig && dRight > 0.5 * rBig);
  return yin ? 0 : 1;
}

/**
 * `size` samples by the published construction: for each sample a class is drawn uniformly, then
 * points are drawn uniformly in the square [0, 2r_big]² and rejected until one inside the disc
 * belongs to that class (so the classes are balanced in expectation). Inputs are
 * (x, y, 1 − x, 1 − y). Seeded with mulberry32, so the same seed gives the same set (the
 * numbers differ from the NumPy-generated reference files, the construction does not).
 */
export function yinYangSet(size: number, seed: number): YinYangSet {
  if (!Number.isInteger(size) || size < 1) throw new Error(`size must be an integer ≥ 1; got ${String(size)}`);
  const rnd = mulberry32(seed);
  const { big, small } = YIN_YANG_RADII;
  const inputs = new Float32Array(size * 4);
  const labels = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const goal = Math.min(2, Math.floor(rnd() * 3));
    let x = 0;
    let y = 0;
    for (;;) {
      x = rnd() * 2 * big;
      y = rnd() * 2 * big;
      if (Math.hypot(x - big, y - big) > big) continue;
      if (yinYangClass(x, y, big, small) === goal) break;
    }
    inputs.set([x, y, 1 - x, 1 - y], i * 4);
    labels[i] = goal;
  }
  return { inputs, labels };
}
