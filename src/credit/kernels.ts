import { thinSvd } from '../linalg/svd.js';
import { rowProduct } from '../linalg/gram.js';
import type { Basis } from './pca.js';
import { matrix, transpose, type Matrix } from './matrix.js';

export interface KernelCredit {
  /** Channel (kernel) index of the block's output. */
  channel: number;
  /** log abs|K_c| of the channel's rows of the block operator, over its non-zero singular values. */
  logCredit: number;
  rank: number;
}

/**
 * Convolution-kernel credits: the block operator in full output coordinates is Pᵀ K (nOut × cIn);
 * kernel c owns the rows of its output channel, M_c (|c| × cIn), and its credit is
 * log abs|M_c| = ½ log det(M_cᵀ M_c) over the non-zero eigenvalues = Σ log σᵢ(M_c) over σᵢ > tol·σ₁,
 * from one engine `thinSvd` of M_c (no Gram, so small σ are resolved to ≈ ε·σ₁).
 * `channelOf[j]` is the channel of output coordinate j.
 * Cost O(nOut·r·cIn) to form the rows + O(Σ_c |c|·cIn·min(|c|, cIn)) for the SVDs.
 */
export function kernelCredits(k: Matrix, out: Basis, channelOf: Int32Array, channels: number, tol = 1e-7): KernelCredit[] {
  if (channelOf.length !== out.dim) throw new Error(`kernelCredits: channelOf has ${channelOf.length} entries for ${out.dim} outputs`);
  if (k.rows !== out.rank) throw new Error(`kernelCredits: operator has ${k.rows} rows but the output basis ${out.rank}`);
  const r = out.rank;
  const cIn = k.cols;
  const members: number[][] = Array.from({ length: channels }, () => []);
  for (let j = 0; j < out.dim; j++) {
    const c = channelOf[j];
    if (!(c >= 0 && c < channels)) throw new Error(`kernelCredits: output ${j} has channel ${c}, outside 0…${channels - 1}`);
    members[c].push(j);
  }
  return members.map((rows, channel) => {
    // M_c: row j of Pᵀ K is Σ_a P[a, j] K[a, :] (or K[j, :] for the identity basis).
    const M = new Float64Array(rows.length * cIn);
    rows.forEach((j, i) => {
      const oi = i * cIn;
      if (!out.rows) {
        for (let b = 0; b < cIn; b++) M[oi + b] = k.data[j * cIn + b];
        return;
      }
      for (let a = 0; a < r; a++) {
        const v = out.rows[a * out.dim + j];
        if (v === 0) continue;
        for (let b = 0; b < cIn; b++) M[oi + b] += v * k.data[a * cIn + b];
      }
    });
    if (rows.length === 0) return { channel, logCredit: 0, rank: 0 };
    const sigma = thinSvd(M, rows.length, cIn, 0, cIn, { rank: 0 }).values;
    const top = Math.max(sigma[0], 0);
    let logCredit = 0;
    let rank = 0;
    for (const s of sigma) {
      if (s > tol * top && s > 0) {
        logCredit += Math.log(s);
        rank++;
      }
    }
    return { channel, logCredit, rank };
  });
}

/**
 * The whole network's operator in full coordinates, Pₘᵀ K P₀ (nOut × nIn), whose row i holds the
 * weight of every input feature in output i (seed 000, III.D "another view on K", Fig. 4b).
 * Cost O(nOut·rOut·r₀ + nOut·r₀·nIn).
 */
export function fullOperator(k: Matrix, input: Basis, output: Basis): Matrix {
  let left: Matrix = k; // rOut × r0 → nOut × r0
  if (output.rows) left = rowsTimes(transpose(matrix(output.rank, output.dim, output.rows)), k);
  if (!input.rows) return left;
  return rowsTimes(left, matrix(input.rank, input.dim, input.rows));
}

function rowsTimes(a: Matrix, b: Matrix): Matrix {
  const bt = transpose(b);
  return matrix(a.rows, b.cols, rowProduct(a.data, a.rows, a.cols, 0, bt.data, b.cols, b.rows, 0, a.cols));
}
