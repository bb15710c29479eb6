import { logAbsDet } from './determinant.js';
import { identity, multiply, type Matrix } from './matrix.js';

/** K = K_m ⋯ K_2 K_1 (operators in block order, first block first). Cost Σ of the products. */
export function composeOperators(operators: Matrix[]): Matrix {
  if (operators.length === 0) throw new Error('composeOperators: no operators');
  let k = operators[0];
  for (let i = 1; i < operators.length; i++) {
    if (operators[i].cols !== k.rows) {
      throw new Error(`composeOperators: block ${i} takes ${operators[i].cols} inputs but block ${i - 1} gives ${k.rows}`);
    }
    k = multiply(operators[i], k);
  }
  return k;
}

export interface Sensitivity {
  /** log abs|∂K/∂K_i| (block sensitivity BS_i of seed 000, III.D, in log space). */
  log: number;
  /** True when every operator is square of one order n: then log BS_i = n·Σ_{s≠i} log|det K_s| (Theorem 5). */
  theorem5: boolean;
}

/**
 * Block sensitivities in log space. ∂vec K/∂vec K_i = L_i ⊗ R_iᵀ with L_i = K_m⋯K_{i+1} and
 * R_i = K_{i−1}⋯K_1 (Theorem 1; identities at the ends), whose non-zero singular values are the
 * products of theirs, so log abs|∂K/∂K_i| = rank(R_i)·log abs|L_i| + rank(L_i)·log abs|R_i|. For
 * square invertible operators of order n this is Theorem 5's n·Σ_{s≠i} log|det K_s|. Cost: the
 * prefix and suffix products and their determinants, O(m·r³) for m blocks of order r.
 */
export function blockSensitivities(operators: Matrix[], tol = 1e-7): Sensitivity[] {
  const m = operators.length;
  const square = operators.every((k) => k.rows === k.cols && k.rows === operators[0].rows);
  const prefix: Matrix[] = [identity(operators[0].cols)];
  for (let i = 0; i < m; i++) prefix.push(multiply(operators[i], prefix[i]));
  const suffix: Matrix[] = new Array(m + 1);
  suffix[m] = identity(operators[m - 1].rows);
  for (let i = m - 1; i >= 0; i--) suffix[i] = multiply(suffix[i + 1], operators[i]);
  const out: Sensitivity[] = [];
  for (let i = 0; i < m; i++) {
    const R = logAbsDet(prefix[i], tol); // K_{i−1}⋯K_1 (R_0 = I)
    const L = logAbsDet(suffix[i + 1], tol); // K_m⋯K_{i+1}
    out.push({ log: R.rank * L.logAbs + L.rank * R.logAbs, theorem5: square });
  }
  return out;
}
