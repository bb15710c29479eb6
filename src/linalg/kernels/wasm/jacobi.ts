// One-sided Jacobi sweeps (see kernels.ts); the reference is src/linalg/jacobi-svd.ts.
import { at, dot } from './common';

/** out[p] = ‖row p‖² of the rows × cols row-major matrix at m. Cost 2·rows·cols flops. */
export function rowNorms2(m: usize, rows: i32, cols: i32, out: usize): void {
  for (let p = 0; p < rows; p++) {
    const o = at(m, p * cols);
    store<f64>(at(out, p), dot(o, o, cols));
  }
}

/**
 * One sweep of one-sided Jacobi over the rows of the rows × cols row-major matrix at m, in the
 * pair order given by the row indices at idx (i32) with the squared row norms at nrm (updated);
 * returns the number of rotations. The loop body of rowJacobi in src/linalg/jacobi-svd.ts.
 * Cost ≤ 8·cols flops per pair (a dot product and a rotation): ≤ 4·rows²·cols per sweep.
 */
export function jacobiSweep(m: usize, rows: i32, cols: i32, idx: usize, nrm: usize, tol: f64): i32 {
  let rotated = 0;
  const c2 = cols & ~1;
  const cb = (<usize>c2) << 3;
  for (let a = 0; a < rows - 1; a++) {
    const p = load<i32>(idx + ((<usize>a) << 2));
    if (load<f64>(at(nrm, p)) == 0) continue;
    const op = at(m, p * cols);
    for (let b = a + 1; b < rows; b++) {
      const q = load<i32>(idx + ((<usize>b) << 2));
      const beta = load<f64>(at(nrm, q));
      if (beta == 0) continue;
      const alpha = load<f64>(at(nrm, p));
      const oq = at(m, q * cols);
      const g = dot(op, oq, cols);
      if (!(abs(g) > tol * sqrt(alpha * beta))) continue;
      rotated++;
      const zeta = (beta - alpha) / (2 * g);
      const t0 = (zeta >= 0 ? 1.0 : -1.0) / (abs(zeta) + sqrt(1 + zeta * zeta));
      const c = 1 / sqrt(1 + t0 * t0);
      const s = c * t0;
      const C = f64x2.splat(c);
      const S = f64x2.splat(s);
      for (let k: usize = 0; k < cb; k += 16) {
        const x = v128.load(op + k);
        const y = v128.load(oq + k);
        v128.store(op + k, f64x2.sub(f64x2.mul(C, x), f64x2.mul(S, y)));
        v128.store(oq + k, f64x2.add(f64x2.mul(S, x), f64x2.mul(C, y)));
      }
      if (c2 < cols) {
        const x = load<f64>(at(op, c2));
        const y = load<f64>(at(oq, c2));
        store<f64>(at(op, c2), c * x - s * y);
        store<f64>(at(oq, c2), s * x + c * y);
      }
      store<f64>(at(nrm, p), max(alpha - t0 * g, 0));
      store<f64>(at(nrm, q), beta + t0 * g);
    }
  }
  return rotated;
}
