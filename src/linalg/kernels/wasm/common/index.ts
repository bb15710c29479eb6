// Shared helpers of the AssemblyScript kernels (see ../kernels.ts): addressing, two-lane sums and
// the level-1 loops every kernel uses. Imported as ./common (a folder, so the import
// resolves the same way for asc and for the layering test).

@inline export function at(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}

@inline export function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Σ x[i]·y[i], i < n. Cost 2n flops. */
export function dot(x: usize, y: usize, n: i32): f64 {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let q: usize = 0;
  const n4 = (<usize>(n & ~3)) << 3;
  for (; q < n4; q += 32) {
    s0 = f64x2.add(s0, f64x2.mul(v128.load(x + q), v128.load(y + q)));
    s1 = f64x2.add(s1, f64x2.mul(v128.load(x + q, 16), v128.load(y + q, 16)));
  }
  let s = hsum(f64x2.add(s0, s1));
  for (let i = n & ~3; i < n; i++) s += load<f64>(at(x, i)) * load<f64>(at(y, i));
  return s;
}

/** ‖x‖₂ of n entries, scaled (two passes) when the largest entry is tiny or huge, as the JS norm. */
export function norm(x: usize, n: i32): f64 {
  let m = f64x2.splat(0);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) m = f64x2.max(m, f64x2.abs(v128.load(at(x, i))));
  let big = max(f64x2.extract_lane(m, 0), f64x2.extract_lane(m, 1));
  if (n2 < n) big = max(big, abs(load<f64>(at(x, n2))));
  if (big == 0) return 0;
  if (big > 1e-150 && big < 1e150) return sqrt(dot(x, x, n));
  const inv = f64x2.splat(1 / big);
  let s = f64x2.splat(0);
  for (let i = 0; i < n2; i += 2) {
    const v = f64x2.mul(v128.load(at(x, i)), inv);
    s = f64x2.add(s, f64x2.mul(v, v));
  }
  let t = hsum(s);
  if (n2 < n) {
    const v = load<f64>(at(x, n2)) / big;
    t += v * v;
  }
  return big * sqrt(t);
}

/** x[i] *= c, i < n. */
export function scale(x: usize, n: i32, c: f64): void {
  const cv = f64x2.splat(c);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) v128.store(at(x, i), f64x2.mul(v128.load(at(x, i)), cv));
  if (n2 < n) store<f64>(at(x, n2), load<f64>(at(x, n2)) * c);
}

/** y[i] -= c·x[i], i < n. */
export function axpyMinus(y: usize, x: usize, n: i32, c: f64): void {
  const cv = f64x2.splat(c);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) v128.store(at(y, i), f64x2.sub(v128.load(at(y, i)), f64x2.mul(cv, v128.load(at(x, i)))));
  if (n2 < n) store<f64>(at(y, n2), load<f64>(at(y, n2)) - c * load<f64>(at(x, n2)));
}
