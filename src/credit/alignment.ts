import { multiply, frobeniusDistance, identity, matrix, thinSvd, transpose, type Matrix } from './matrix.js';

/** Seed 000, III.B: S2L widens (in < out), L2S narrows (in > out), E2E keeps the dimension. */
export type BlockType = 'S2L' | 'L2S' | 'E2E';

export function blockType(inDim: number, outDim: number): BlockType {
  return inDim < outDim ? 'S2L' : inDim > outDim ? 'L2S' : 'E2E';
}

export interface Alignment {
  type: BlockType;
  /** The drawn matrix B (small × large), full row rank; the identity for E2E. */
  b: Matrix;
  /** A = B⁺ (large × small); BA = I (Theorem 4 with its minimum 0). */
  a: Matrix;
  /** Draws made, including rejected ones (1 when the first passed; 0 for E2E). */
  draws: number;
  /** rank(B) found by the check (min(small, large) when accepted). */
  rank: number;
  /** σ₁/σ_min of B. */
  condition: number;
  /** ‖BA − I_small‖_F: Theorem 4's minimum √max(n − m, 0) = 0. */
  residual: number;
  /** ‖AB − I_large‖_F = √(large − small): the other order, Theorem 4's bound √max(n − m, 0). */
  projectionResidual: number;
}

export interface AlignmentOptions {
  /** Uniform [0, 1) generator (seeded by the caller). */
  random: () => number;
  /** Draws allowed before giving up. @default 10 */
  maxDraws?: number;
  /** A draw passes the rank check when σ_min(B) > rankTol·σ₁(B). @default 1e-6 */
  rankTol?: number;
  /** Replaces the Gaussian draw (for tests): returns B, small × large, for attempt 0, 1, … */
  draw?: (small: number, large: number, attempt: number) => Float64Array;
}

/** Standard normal deviates by Box–Muller from a uniform generator. */
export function gaussian(random: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/**
 * The minimal linear dimension alignment of a block with `inDim` inputs and `outDim` outputs
 * (seed 000, III.B, Theorem 4): B (small × large) is drawn with N(0, 1/large) entries, redrawn
 * until rank(B) = small (σ_min > rankTol·σ₁), and A = B⁺ is its Moore–Penrose inverse, so
 * BA = I_small. A maps the smaller space into the larger one: L2S blocks become f̃ = A∘f (state in
 * the input space, recovered by K = B K̃, eq. 1); S2L blocks become f̃ = f∘B (state in the output
 * space, recovered by K = K̃ A). E2E blocks need none (A = B = I). Cost O(small²·large).
 */
export function drawAlignment(inDim: number, outDim: number, options: AlignmentOptions): Alignment {
  const type = blockType(inDim, outDim);
  if (type === 'E2E') {
    const I = identity(inDim);
    return { type, a: I, b: I, draws: 0, rank: inDim, condition: 1, residual: 0, projectionResidual: 0 };
  }
  const maxDraws = options.maxDraws ?? 10;
  const rankTol = options.rankTol ?? 1e-6;
  const small = Math.min(inDim, outDim);
  const large = Math.max(inDim, outDim);
  const normal = gaussian(options.random);
  const found: string[] = [];
  for (let attempt = 0; attempt < maxDraws; attempt++) {
    let data: Float64Array;
    if (options.draw) {
      data = options.draw(small, large, attempt);
      if (data.length !== small * large) throw new Error(`alignment draw must return ${small}×${large} entries; got ${data.length}`);
    } else {
      data = new Float64Array(small * large);
      const scale = 1 / Math.sqrt(large);
      for (let i = 0; i < data.length; i++) data[i] = normal() * scale;
    }
    const b = matrix(small, large, data);
    const svd = thinSvd(b, true);
    const s1 = svd.sigma[0];
    let rank = 0;
    while (rank < small && svd.sigma[rank] > rankTol * s1 && svd.sigma[rank] > 0) rank++;
    if (rank < small) {
      found.push(`draw ${attempt + 1}: rank ${rank}`);
      continue;
    }
    // B Bᵀ = U Σ² Uᵀ, B⁺ = Bᵀ U Σ⁻² Uᵀ
    const U = svd.u as Matrix;
    const W = matrix(small, small);
    for (let i = 0; i < small; i++) {
      for (let j = 0; j < small; j++) {
        let s = 0;
        for (let k = 0; k < small; k++) s += (U.data[k * small + i] * U.data[k * small + j]) / (svd.sigma[k] * svd.sigma[k]);
        W.data[i * small + j] = s;
      }
    }
    const a = multiply(transpose(b), W);
    const ba = multiply(b, a);
    const ab = multiply(a, b);
    return {
      type,
      a,
      b,
      draws: attempt + 1,
      rank,
      condition: s1 / svd.sigma[small - 1],
      residual: frobeniusDistance(ba, identity(small)),
      projectionResidual: frobeniusDistance(ab, identity(large)),
    };
  }
  throw new Error(
    `alignment ${inDim}→${outDim}: no draw of B (${small}×${large}) had full rank ${small} in ${maxDraws} draws (${found.join(', ')}); ` +
      'raise maxDraws or lower rankTol',
  );
}
