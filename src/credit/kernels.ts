import { symmetricEigen } from '../linalg/symmetric-eigen.js';
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
 * Convolution-kernel credits: the block operator in full output coordinates is Pᵀ K (nOut × r);
 * kernel c owns the rows of its output channel, M_c, and its credit is log abs|M_c| =
 * ½ log det(M_cᵀ M_c) over the non-zero eigenvalues, with M_cᵀ M_c = Kᵀ Q_c K and
 * Q_c = Σ_{j∈c} p_j p_jᵀ (p_j the column j of P). `channelOf[j]` is the channel of output coordinate j.
 * Cost O(nOut·r² + channels·r³).
 */
export function kernelCredits(k: Matrix, out: Basis, channelOf: Int32Array, channels: number, tol = 1e-7): KernelCredit[] {
  if (channelOf.length !== out.dim) throw new Error(`kernelCredits: channelOf has ${channelOf.length} entries for ${out.dim} outputs`);
  if (k.rows !== out.rank) throw new Error(`kernelCredits: operator has ${k.rows} rows but the output basis ${out.rank}`);
  const r = out.rank;
  const cIn = k.cols;
  const q = Array.from({ length: channels }, () => new Float64Array(r * r));
  const col = new Float64Array(r);
  for (let j = 0; j < out.dim; j++) {
    const c = channelOf[j];
    if (!(c >= 0 && c < channels)) throw new Error(`kernelCredits: output ${j} has channel ${c}, outside 0…${channels - 1}`);
    if (out.rows) for (let a = 0; a < r; a++) col[a] = out.rows[a * out.dim + j];
    else {
      col.fill(0);
      col[j] = 1;
    }
    const Q = q[c];
    for (let a = 0; a < r; a++) {
      const v = col[a];
      if (v === 0) continue;
      for (let b = 0; b < r; b++) Q[a * r + b] += v * col[b];
    }
  }
  const kt = transpose(k); // cIn × r
  return q.map((Q, channel) => {
    const QK = rowProduct(Q, r, r, 0, kt.data, cIn, r, 0, r); // r × cIn  (Q symmetric)
    const G = rowProduct(kt.data, cIn, r, 0, transpose(matrix(r, cIn, QK)).data, cIn, r, 0, r); // cIn × cIn
    const eig = symmetricEigen(G, cIn);
    const top = Math.max(eig.values[0], 0);
    let logCredit = 0;
    let rank = 0;
    for (const v of eig.values) {
      if (v > tol * tol * top && v > 0) {
        logCredit += 0.5 * Math.log(v);
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
