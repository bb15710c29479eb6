import { describe, expect, it } from 'vitest';
import { resolveSnapshotPolicy } from '../experiments/race/methods.js';
import { bracketSearch, SnapshotRing, SnapshotSpaceFit } from '../experiments/race/shadow.js';
import { mulberry32 } from '../src/linalg/random.js';

/** x_t = x* + Σ_j λ_j^t v_j: three decaying modes plus a fixed point in dimension d (an exact affine linear system). */
function modes(d: number, n: number): { snaps: Float64Array[]; at: (t: number) => Float64Array } {
  const rand = mulberry32(7);
  const xs = Float64Array.from({ length: d }, () => rand() - 0.5);
  const lams = [0.97, 0.9, 0.8];
  const vs = lams.map(() => Float64Array.from({ length: d }, () => rand() - 0.5));
  const at = (t: number) => {
    const x = xs.slice();
    lams.forEach((l, j) => {
      for (let i = 0; i < d; i++) x[i] += l ** t * vs[j][i];
    });
    return x;
  };
  return { snaps: Array.from({ length: n }, (_, t) => at(t)), at };
}

describe('SnapshotSpaceFit', () => {
  it('extrapolates an exact three-mode affine system in d = 400 from 12 snapshots (full rank)', () => {
    const { snaps, at } = modes(400, 12);
    const fit = new SnapshotSpaceFit(snaps, { rank: -1, affine: true });
    expect(fit.podRank).toBe(3); // x_t − x_n = Σ_j (λ_j^t − λ_j^n) v_j spans the three modes
    for (const k of [0, 1, 10, 50]) {
      const p = fit.predict(k)!;
      const exact = at(11 + k);
      let err = 0;
      for (let i = 0; i < 400; i++) err = Math.max(err, Math.abs(p[i] - exact[i]));
      expect(err).toBeLessThan(1e-5);
    }
  });
  it('refuses too few, non-finite or motionless snapshots', () => {
    expect(() => new SnapshotSpaceFit([[1], [2], [3]])).toThrow(/at least 4 snapshots; got 3/);
    expect(() => new SnapshotSpaceFit([[1, 2], [1, NaN], [1, 2], [1, 2]])).toThrow(/snapshot 1 has a non-finite value \(NaN\) at index 1/);
    expect(() => new SnapshotSpaceFit([[1, 2], [1, 2], [1, 2], [1, 2]])).toThrow(/do not move/);
  });
});

describe('SnapshotRing', () => {
  it('keeps the newest snapshots, oldest first', () => {
    const r = new SnapshotRing(3);
    for (let t = 1; t <= 5; t++) r.push([t]);
    expect(r.ordered().map((x) => x[0])).toEqual([3, 4, 5]);
  });
});

describe('bracketSearch', () => {
  it('doubles while the loss falls and stops at the first worse candidate', async () => {
    const seen: number[] = [];
    const { best, probes } = await bracketSearch((k) => (seen.push(k), (k - 20) ** 2), 1, 1024);
    expect(best).toEqual({ k: 16, loss: 16 });
    expect(seen).toEqual([0, 1, 2, 4, 8, 16, 32]);
    expect(probes.length).toBe(7);
  });
  it('keeps k = 0 when the first candidate is worse, and respects kMax', async () => {
    expect((await bracketSearch((k) => k, 4, 64)).best).toEqual({ k: 0, loss: 0 });
    expect((await bracketSearch((k) => -k, 4, 64)).best.k).toBe(64);
  });
});

describe('resolveSnapshotPolicy', () => {
  it('rejects unknown keys and bad values by name', () => {
    expect(() => resolveSnapshotPolicy({ strides: 2 } as never)).toThrow(/unknown snapshot policy option 'strides'/);
    expect(() => resolveSnapshotPolicy({ snapshots: 3 })).toThrow(/snapshots must be ≥ 4; got 3/);
    expect(resolveSnapshotPolicy({ stride: 2 }).stride).toBe(2);
  });
});

describe('koopmanBestOfMethod', () => {
  it('rejects unknown options by name', async () => {
    const { koopmanBestOfMethod } = await import('../experiments/race/best-of.js');
    expect(() => koopmanBestOfMethod('x', { snapshot: 3 } as never)).toThrow(/unknown best-of policy option 'snapshot'/);
  });
});
