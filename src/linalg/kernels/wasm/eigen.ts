// Symmetric eigen-decomposition steps (see kernels.ts); the reference is src/linalg/symmetric-eigen.ts.
import { at, axpyMinus, dot, hsum } from './common';

/**
 * Householder tridiagonalisation (EISPACK tred2) of the symmetric n × n matrix at V (both
 * triangles filled; V ends holding the transpose of the accumulated transform), diagonal to d,
 * off-diagonal to e; the reference is tridiagonalize in src/linalg/symmetric-eigen.ts. Cost
 * ≈ (4/3 + 4/3)·n³ flops (reduction and accumulation), the inner loops over contiguous rows.
 */
export function tridiagonalize(V: usize, d: usize, e: usize, n: i32): void {
  for (let j = 0; j < n; j++) store<f64>(at(d, j), load<f64>(at(V, j * n + n - 1)));
  for (let i = n - 1; i > 0; i--) {
    let scale: f64 = 0;
    let h: f64 = 0;
    for (let k = 0; k < i; k++) scale += abs(load<f64>(at(d, k)));
    if (scale == 0) {
      store<f64>(at(e, i), load<f64>(at(d, i - 1)));
      for (let j = 0; j < i; j++) {
        store<f64>(at(d, j), load<f64>(at(V, j * n + i - 1)));
        store<f64>(at(V, j * n + i), 0);
        store<f64>(at(V, i * n + j), 0);
      }
    } else {
      for (let k = 0; k < i; k++) {
        const v = load<f64>(at(d, k)) / scale;
        store<f64>(at(d, k), v);
        h += v * v;
      }
      let f = load<f64>(at(d, i - 1));
      let g = sqrt(h);
      if (f > 0) g = -g;
      store<f64>(at(e, i), scale * g);
      h -= f * g;
      store<f64>(at(d, i - 1), f - g);
      memory.fill(e, 0, (<usize>i) << 3);
      for (let j = 0; j < i; j++) {
        f = load<f64>(at(d, j));
        store<f64>(at(V, i * n + j), f);
        // g = e[j] + Σ_{k ≥ j} V[j][k]·d[k] and e[k] += V[j][k]·f for k > j, in one pass over row j
        const row = at(V, j * n);
        let acc = f64x2.splat(0);
        const F = f64x2.splat(f);
        let k = j + 1;
        for (; k + 1 < i; k += 2) {
          const v = v128.load(at(row, k));
          acc = f64x2.add(acc, f64x2.mul(v, v128.load(at(d, k))));
          v128.store(at(e, k), f64x2.add(v128.load(at(e, k)), f64x2.mul(v, F)));
        }
        g = load<f64>(at(e, j)) + load<f64>(at(row, j)) * f + hsum(acc);
        for (; k < i; k++) {
          const v = load<f64>(at(row, k));
          g += v * load<f64>(at(d, k));
          store<f64>(at(e, k), load<f64>(at(e, k)) + v * f);
        }
        store<f64>(at(e, j), g);
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        const v = load<f64>(at(e, j)) / h;
        store<f64>(at(e, j), v);
        f += v * load<f64>(at(d, j));
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) store<f64>(at(e, j), load<f64>(at(e, j)) - hh * load<f64>(at(d, j)));
      for (let j = 0; j < i; j++) {
        f = load<f64>(at(d, j));
        g = load<f64>(at(e, j));
        const row = at(V, j * n);
        const F = f64x2.splat(f);
        const G = f64x2.splat(g);
        let k = j;
        for (; k + 1 < i; k += 2) {
          v128.store(at(row, k), f64x2.sub(v128.load(at(row, k)), f64x2.add(f64x2.mul(F, v128.load(at(e, k))), f64x2.mul(G, v128.load(at(d, k))))));
        }
        for (; k < i; k++) store<f64>(at(row, k), load<f64>(at(row, k)) - (f * load<f64>(at(e, k)) + g * load<f64>(at(d, k))));
        store<f64>(at(d, j), load<f64>(at(row, i - 1)));
        store<f64>(at(row, i), 0);
      }
    }
    store<f64>(at(d, i), h);
  }
  for (let i = 0; i < n - 1; i++) {
    store<f64>(at(V, i * n + n - 1), load<f64>(at(V, i * n + i)));
    store<f64>(at(V, i * n + i), 1);
    const h = load<f64>(at(d, i + 1));
    const next = at(V, (i + 1) * n);
    if (h != 0) {
      for (let k = 0; k <= i; k++) store<f64>(at(d, k), load<f64>(at(next, k)) / h);
      for (let j = 0; j <= i; j++) {
        const row = at(V, j * n);
        axpyMinus(row, d, i + 1, dot(next, row, i + 1));
      }
    }
    memory.fill(next, 0, (<usize>(i + 1)) << 3);
  }
  for (let j = 0; j < n; j++) {
    store<f64>(at(d, j), load<f64>(at(V, j * n + n - 1)));
    store<f64>(at(V, j * n + n - 1), 0);
  }
  store<f64>(at(V, (n - 1) * n + n - 1), 1);
  store<f64>(e, 0);
}

/**
 * Implicit QL (EISPACK tql2) on the tridiagonal (d, e); Vt's rows are the eigenvector columns,
 * rotated two at a time in f64x2. Returns 0, or −1 when an eigenvalue took more than 60·n
 * iterations. The reference is diagonalize in src/linalg/symmetric-eigen.ts. Cost ≈ 6·n³ flops
 * for ≈ 2 iterations per eigenvalue, nearly all in the rotations.
 */
export function diagonalize(Vt: usize, d: usize, e: usize, n: i32): i32 {
  for (let i = 1; i < n; i++) store<f64>(at(e, i - 1), load<f64>(at(e, i)));
  store<f64>(at(e, n - 1), 0);
  let f: f64 = 0;
  let tst1: f64 = 0;
  const eps: f64 = 2.220446049250313e-16;
  const maxIter = 60 * max(n, 1);
  const n2 = n & ~1;
  const nb = (<usize>n2) << 3;
  for (let l = 0; l < n; l++) {
    tst1 = max(tst1, abs(load<f64>(at(d, l))) + abs(load<f64>(at(e, l))));
    let m = l;
    while (m < n) {
      if (abs(load<f64>(at(e, m))) <= eps * tst1) break;
      m++;
    }
    if (m == n) m = n - 1;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > maxIter) return -1;
        let g = load<f64>(at(d, l));
        const el = load<f64>(at(e, l));
        let p = (load<f64>(at(d, l + 1)) - g) / (2 * el);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        store<f64>(at(d, l), el / (p + r));
        store<f64>(at(d, l + 1), el * (p + r));
        const dl1 = load<f64>(at(d, l + 1));
        let h = g - load<f64>(at(d, l));
        for (let i = l + 2; i < n; i++) store<f64>(at(d, i), load<f64>(at(d, i)) - h);
        f += h;
        p = load<f64>(at(d, m));
        let c: f64 = 1;
        let c2 = c;
        let c3 = c;
        const el1 = load<f64>(at(e, l + 1));
        let s: f64 = 0;
        let s2: f64 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          const ei = load<f64>(at(e, i));
          const di = load<f64>(at(d, i));
          g = c * ei;
          h = c * p;
          r = Math.hypot(p, ei);
          store<f64>(at(e, i + 1), s * r);
          s = ei / r;
          c = p / r;
          p = c * di - s * g;
          store<f64>(at(d, i + 1), h + s * (c * g + s * di));
          const oi = at(Vt, i * n);
          const oi1 = oi + ((<usize>n) << 3);
          const C = f64x2.splat(c);
          const S = f64x2.splat(s);
          for (let q: usize = 0; q < nb; q += 16) {
            const hk = v128.load(oi1 + q);
            const vk = v128.load(oi + q);
            v128.store(oi1 + q, f64x2.add(f64x2.mul(S, vk), f64x2.mul(C, hk)));
            v128.store(oi + q, f64x2.sub(f64x2.mul(C, vk), f64x2.mul(S, hk)));
          }
          if (n2 < n) {
            const hk = load<f64>(at(oi1, n2));
            const vk = load<f64>(at(oi, n2));
            store<f64>(at(oi1, n2), s * vk + c * hk);
            store<f64>(at(oi, n2), c * vk - s * hk);
          }
        }
        p = (-s * s2 * c3 * el1 * load<f64>(at(e, l))) / dl1;
        store<f64>(at(e, l), s * p);
        store<f64>(at(d, l), c * p);
      } while (abs(load<f64>(at(e, l))) > eps * tst1);
    }
    store<f64>(at(d, l), load<f64>(at(d, l)) + f);
    store<f64>(at(e, l), 0);
  }
  return 0;
}
