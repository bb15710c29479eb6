import { fitKoopman } from '../../src/koopman/fit.js';
import type { KoopmanOperator } from '../../src/koopman/operator.js';
import type { FitOptions } from '../../src/koopman/options.js';
import { firstNonFinite } from '../../src/linalg/finite.js';
import { thinSvd } from '../../src/linalg/svd.js';

/** Fit options of the snapshot-space operator: affine (drift), stabilised, optimal hard threshold. */
export const SNAPSHOT_FIT_DEFAULTS: Readonly<FitOptions> = Object.freeze({ rank: 0, affine: true, stabilize: true });

/** Relative floor on σᵢ²/σ₁² of the snapshot differences: directions below it are dropped. */
export const SNAPSHOT_GRAM_FLOOR = 1e-12;

/**
 * One Koopman operator for a whole weight vector (the `network` operator), fitted in the span of
 * its own snapshots so that nothing d×d is ever formed: with n snapshots x₁…xₙ of dimension d
 * (n ≪ d), D = [xₜ − xₙ] (d × n), D = U Σ Vᵀ by the engine's thin SVD (O(d·n²)), POD coordinates zₜ = Σ Vᵀeₜ (r ≤ n − 1 of them), the engine's `fitKoopman` on the z
 * (O(n³)), and the lift x* = xₙ + D V Σ⁻¹ z* (O(d·n)). Total O(d·n² + n³) per fit, the
 * O(d·m·min(d, m)) of a thin SVD; equal to the DMD of the d-dimensional snapshots restricted to
 * their span. A prototype for the race; the engine's QR-based thin SVD is the one door later.
 */
export class SnapshotSpaceFit {
  readonly dim: number;
  readonly snapshots: number;
  /** POD rank kept (σᵢ² > floor·σ₁²) and the operator's own rank. */
  readonly podRank: number;
  readonly operator: KoopmanOperator;
  /** σ₁/σ_r of the difference matrix. */
  readonly condition: number;
  private readonly anchor: Float64Array;
  private readonly diffs: Float64Array;
  /** V_r Σ_r⁻¹ (n × r, row-major), maps z back to snapshot weights. */
  private readonly back: Float64Array;
  private readonly zLast: Float64Array;

  /** `snaps` oldest first, all of the same length. */
  constructor(snaps: ArrayLike<number>[], fit: FitOptions = SNAPSHOT_FIT_DEFAULTS) {
    const n = snaps.length;
    if (n < 4) throw new Error(`SnapshotSpaceFit needs at least 4 snapshots; got ${n}`);
    const d = snaps[0].length;
    this.dim = d;
    this.snapshots = n;
    const last = snaps[n - 1];
    this.anchor = Float64Array.from(last);
    const D = new Float64Array(n * d);
    for (let t = 0; t < n; t++) {
      const s = snaps[t];
      if (s.length !== d) throw new Error(`snapshot ${t} has length ${s.length}, expected ${d}`);
      const bad = firstNonFinite(s);
      if (bad >= 0) throw new Error(`snapshot ${t} has a non-finite value (${s[bad]}) at index ${bad}`);
      for (let i = 0; i < d; i++) D[t * d + i] = s[i] - last[i];
    }
    this.diffs = D;
    // the thin SVD of D (n × d) by its small side: u holds D's left vectors (n long), as the
    // eigenvectors of D Dᵀ did, without squaring the condition number
    const svd = thinSvd(D, n, d, 0, d, {
      rank: (values) => {
        let k = 0;
        while (k < values.length && values[k] > 0 && values[k] * values[k] > SNAPSHOT_GRAM_FLOOR * values[0] * values[0]) k++;
        return k;
      },
    });
    const r = svd.rank;
    if (r < 1) throw new Error('SnapshotSpaceFit: the snapshots do not move (all differences are zero)');
    this.podRank = r;
    const sigma = Array.from({ length: r }, (_, k) => svd.values[k]);
    this.condition = sigma[0] / sigma[r - 1];
    // z_t[k] = σ_k V[t, k]
    const z: Float64Array[] = [];
    for (let t = 0; t < n; t++) {
      const zt = new Float64Array(r);
      for (let k = 0; k < r; k++) zt[k] = sigma[k] * svd.u[k * n + t];
      z.push(zt);
    }
    this.zLast = z[n - 1];
    this.operator = fitKoopman(z, fit);
    this.back = new Float64Array(n * r);
    for (let t = 0; t < n; t++) for (let k = 0; k < r; k++) this.back[t * r + k] = svd.u[k * n + t] / sigma[k];
  }

  /** The state `k` operator steps after the last snapshot, as float32 weights; null if not finite. O(d·n + r²). */
  predict(k: number): Float32Array | null {
    const d = this.dim;
    const n = this.snapshots;
    const r = this.podRank;
    const out = new Float32Array(d);
    if (k === 0) {
      for (let i = 0; i < d; i++) out[i] = this.anchor[i];
      return out;
    }
    const zs = this.operator.predict(this.zLast, k);
    const c = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      let s = 0;
      for (let j = 0; j < r; j++) s += this.back[t * r + j] * zs[j];
      c[t] = s;
    }
    for (let i = 0; i < d; i++) out[i] = this.anchor[i];
    for (let t = 0; t < n - 1; t++) {
      const ct = c[t];
      if (ct === 0) continue;
      const o = t * d;
      for (let i = 0; i < d; i++) out[i] += ct * this.diffs[o + i];
    }
    for (let i = 0; i < d; i++) if (!Number.isFinite(out[i])) return null;
    return out;
  }
}

/** A bounded ring of whole-vector snapshots, oldest first on read. O(d) per push. */
export class SnapshotRing {
  readonly capacity: number;
  private readonly ring: Float32Array[] = [];
  private head = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new Error(`snapshot ring capacity must be an integer ≥ 2; got ${String(capacity)}`);
    this.capacity = capacity;
  }

  get count(): number {
    return this.ring.length;
  }

  push(w: ArrayLike<number>): void {
    if (this.ring.length < this.capacity) this.ring.push(Float32Array.from(w));
    else {
      this.ring[this.head].set(w);
      this.head = (this.head + 1) % this.capacity;
    }
  }

  /** The held snapshots, oldest first (views, not copies). */
  ordered(): Float32Array[] {
    if (this.ring.length < this.capacity) return this.ring.slice();
    return [...this.ring.slice(this.head), ...this.ring.slice(0, this.head)];
  }

  clear(): void {
    this.ring.length = 0;
    this.head = 0;
  }
}

/** One horizon tried by a search, with its guard loss. */
export interface Probe {
  k: number;
  loss: number;
}

/**
 * Bracket search over operator steps k ∈ {0, k₀, 2k₀, 4k₀, …, ≤ kMax}: evaluates 0, then doubles
 * while the loss keeps falling, and stops at the first candidate that is worse than the best so
 * far (or not finite). `loss(k)` returns Infinity for a non-finite prediction. Returns the best
 * probe and every probe made (≈ log₂(k_best ÷ k₀) + 2 evaluations instead of a full grid).
 */
export async function bracketSearch(loss: (k: number) => Promise<number> | number, k0: number, kMax: number): Promise<{ best: Probe; probes: Probe[] }> {
  if (!(Number.isInteger(k0) && k0 >= 1)) throw new Error(`bracketSearch: k0 must be an integer ≥ 1; got ${k0}`);
  const probes: Probe[] = [{ k: 0, loss: await loss(0) }];
  let best = probes[0];
  for (let k = k0; k <= kMax; k *= 2) {
    const l = await loss(k);
    probes.push({ k, loss: l });
    if (!(l < best.loss)) break;
    best = { k, loss: l };
  }
  return { best, probes };
}

/** Every candidate k ∈ {0, k₀, 2k₀, 4k₀, …, ≤ kMax} evaluated, the lowest kept (the 12-evaluation baseline of a bracket). */
export async function gridSearch(loss: (k: number) => Promise<number> | number, k0: number, kMax: number): Promise<{ best: Probe; probes: Probe[] }> {
  if (!(Number.isInteger(k0) && k0 >= 1)) throw new Error(`gridSearch: k0 must be an integer ≥ 1; got ${k0}`);
  const probes: Probe[] = [{ k: 0, loss: await loss(0) }];
  for (let k = k0; k <= kMax; k *= 2) probes.push({ k, loss: await loss(k) });
  const best = probes.reduce((a, b) => (b.loss < a.loss ? b : a));
  return { best, probes };
}
