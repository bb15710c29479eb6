import { describe, expect, it } from 'vitest';
import {
  assignCredit,
  blockType,
  drawAlignment,
  partitionLayers,
  resolveCreditOptions,
  type CreditBlock,
} from '../src/credit/index.js';
import { rng } from './helpers.js';

/** log |det M| of a small square matrix by Gaussian elimination with partial pivoting (test-only, independent of the engine). */
function logAbsDetLU(a: ArrayLike<number>, n: number): number {
  const m = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => a[i * n + j]));
  let s = 0;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    s += Math.log(Math.abs(m[c][c]));
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k < n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return s;
}

/** rows×cols matrix product helpers on plain arrays (test-only). */
function mul(a: number[], ar: number, ac: number, b: number[], bc: number): number[] {
  const out = new Array(ar * bc).fill(0);
  for (let i = 0; i < ar; i++) for (let k = 0; k < ac; k++) for (let j = 0; j < bc; j++) out[i * bc + j] += a[i * ac + k] * b[k * bc + j];
  return out;
}
function tr(a: number[], r: number, c: number): number[] {
  const out = new Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j];
  return out;
}

/** A well-conditioned random matrix: 0.8·I-ish plus small noise for square, plain noise otherwise. */
function randomMatrix(rows: number, cols: number, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: rows * cols }, (_, t) => {
    const i = Math.floor(t / cols);
    const j = t % cols;
    return (i === j ? 0.9 : 0) + 0.5 * (r() - 0.5);
  });
}

function linearBlock(name: string, w: number[], rows: number, cols: number, bias?: number[]): CreditBlock {
  return {
    name,
    layers: [name],
    kind: 'dense',
    inDim: cols,
    outDim: rows,
    innerDims: [rows],
    apply: (batch, count) => {
      const out = new Float64Array(count * rows);
      for (let s = 0; s < count; s++)
        for (let i = 0; i < rows; i++) {
          let acc = bias ? bias[i] : 0;
          for (let j = 0; j < cols; j++) acc += w[i * cols + j] * batch[s * cols + j];
          out[s * rows + i] = acc;
        }
      return out;
    },
  };
}

function randomInputs(count: number, dim: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: count * dim }, () => 2 * r() - 1);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e;
}

describe('Koopman credit of linear networks (operators are the layer matrices)', () => {
  // 4 →(E2E) 4 →(L2S) 3 →(S2L) 5 →(E2E) 5
  const shapes: [number, number][] = [
    [4, 4],
    [3, 4],
    [5, 3],
    [5, 5],
  ];
  const ws = shapes.map(([r, c], i) => randomMatrix(r, c, 10 + i));

  for (const [affine, renormalize] of [
    [false, false],
    [true, false],
    [true, true],
  ]) {
    it(`recovers every block operator to 1e-8 and the closed-form credits (affine ${affine}, renormalize ${renormalize})`, () => {
      const biases = shapes.map(([r], i) => (affine ? randomMatrix(r, 1, 50 + i).map((v) => v - 0.45) : undefined));
      const blocks = shapes.map(([r, c], i) => linearBlock(`layer${i}`, ws[i], r, c, biases[i]));
      const res = assignCredit(blocks, randomInputs(8, 4, 3), 8, rng(7), { components: 'all', affine, renormalize, repeats: 3 });
      expect(res.blocks.map((b) => b.type)).toEqual(['E2E', 'L2S', 'S2L', 'E2E']);
      res.blocks.forEach((b, i) => {
        const [r, c] = shapes[i];
        expect(b.operator.rows).toBe(r);
        expect(b.operator.cols).toBe(c);
        expect(maxDiff(b.operator.data, ws[i])).toBeLessThan(1e-8);
        if (affine) expect(maxDiff(b.offset, biases[i] as number[])).toBeLessThan(1e-8);
        // closed form: log|det W| (square), ½ log det(WᵀW) (tall), ½ log det(WWᵀ) (wide)
        const want =
          r === c ? logAbsDetLU(ws[i], r) : r > c ? 0.5 * logAbsDetLU(mul(tr(ws[i], r, c), c, r, ws[i], c), c) : 0.5 * logAbsDetLU(mul(ws[i], r, c, tr(ws[i], r, c), r), r);
        expect(b.logCredit).toBeCloseTo(want, 9);
        expect(b.rank).toBe(Math.min(r, c));
        expect(b.repeats).toBe(b.type === 'E2E' ? 1 : 3);
        expect(b.alignmentResidual).toBeLessThan(1e-12);
        expect(b.fitResidual).toBeLessThan(1e-10);
      });
      // composition and feature weights: K = W4 W3 W2 W1
      let k = ws[0];
      for (let i = 1; i < 4; i++) k = mul(ws[i], shapes[i][0], shapes[i][1], k, 4);
      expect(maxDiff(res.composed.data, k)).toBeLessThan(1e-8);
      expect(maxDiff(res.featureWeights.data, k)).toBeLessThan(1e-8);
    });
  }

  it('block sensitivities equal Theorem 5 (n·Σ_{s≠i} log|det K_s|) and the determinant of the explicit Jacobian ∂K/∂K_i', () => {
    const n = 3;
    const ks = [0, 1, 2].map((i) => randomMatrix(n, n, 30 + i));
    const blocks = ks.map((w, i) => linearBlock(`sq${i}`, w, n, n));
    const res = assignCredit(blocks, randomInputs(4, n, 9), 4, rng(1), { components: 'all', affine: false });
    const dets = ks.map((w) => logAbsDetLU(w, n));
    res.blocks.forEach((b, i) => {
      expect(b.theorem5).toBe(true);
      const theorem5 = n * dets.reduce((s, d, j) => (j === i ? s : s + d), 0);
      expect(b.logSensitivity).toBeCloseTo(theorem5, 8);
      // ∂K/∂K_i column (a, b) = vec(L E_ab R), built entry by entry (K is linear in K_i)
      const L = ks.slice(i + 1).reduce((acc, w) => mul(w, n, n, acc, n), identityArr(n));
      const R = ks.slice(0, i).reduce((acc, w) => mul(w, n, n, acc, n), identityArr(n));
      const J = new Array(n * n * n * n).fill(0);
      for (let a = 0; a < n; a++)
        for (let c = 0; c < n; c++) {
          const E = new Array(n * n).fill(0);
          E[a * n + c] = 1;
          const col = mul(mul(L, n, n, E, n), n, n, R, n);
          for (let t = 0; t < n * n; t++) J[t * n * n + (a * n + c)] = col[t];
        }
      expect(b.logSensitivity).toBeCloseTo(logAbsDetLU(J, n * n), 8);
    });
  });

  it('kernel credits are the log volumes of each channel’s rows of the operator', () => {
    const w = randomMatrix(6, 3, 77); // 3 inputs → 6 outputs, channels 0,1 alternate
    const block: CreditBlock = { ...linearBlock('conv', w, 6, 3), kind: 'conv', channels: { count: 2, of: Int32Array.from([0, 1, 0, 1, 0, 1]), layer: 'conv' } };
    const res = assignCredit([block], randomInputs(6, 3, 5), 6, rng(2), { components: 'all', affine: false });
    const credits = res.blocks[0].kernels?.credits ?? [];
    expect(credits.length).toBe(2);
    for (const c of [0, 1]) {
      const rows = [0, 1, 2].map((t) => 2 * t + c).flatMap((i) => w.slice(i * 3, i * 3 + 3));
      const want = 0.5 * logAbsDetLU(mul(rows, 3, 3, tr(rows, 3, 3), 3), 3);
      expect(credits[c].logCredit).toBeCloseTo(want, 8);
      expect(credits[c].rank).toBe(3);
    }
  });
});

function identityArr(n: number): number[] {
  return Array.from({ length: n * n }, (_, t) => (Math.floor(t / n) === t % n ? 1 : 0));
}

describe('minimal linear dimension alignment (Theorem 4)', () => {
  it('names the block types', () => {
    expect(blockType(3, 5)).toBe('S2L');
    expect(blockType(5, 3)).toBe('L2S');
    expect(blockType(4, 4)).toBe('E2E');
  });

  for (const [inDim, outDim] of [
    [7, 3],
    [3, 7],
  ]) {
    it(`${inDim}→${outDim}: B has full rank, A = B⁺, ‖BA − I‖ = 0 and ‖AB − I‖ = √(large − small)`, () => {
      const al = drawAlignment(inDim, outDim, { random: rng(4) });
      expect(al.b.rows).toBe(3);
      expect(al.b.cols).toBe(7);
      expect(al.a.rows).toBe(7);
      expect(al.a.cols).toBe(3);
      expect(al.rank).toBe(3);
      expect(al.draws).toBe(1);
      expect(al.residual).toBeLessThan(1e-12);
      expect(al.projectionResidual).toBeCloseTo(Math.sqrt(4), 10);
      // Moore–Penrose conditions ABA = A and (AB)ᵀ = AB
      const ab = mul(Array.from(al.a.data), 7, 3, Array.from(al.b.data), 7);
      const aba = mul(ab, 7, 7, Array.from(al.a.data), 3);
      expect(maxDiff(aba, al.a.data)).toBeLessThan(1e-12);
      expect(maxDiff(ab, tr(ab, 7, 7))).toBeLessThan(1e-12);
    });
  }

  it('redraws a draw that fails the rank check', () => {
    const attempts: number[] = [];
    const r = rng(8);
    const al = drawAlignment(5, 2, {
      random: r,
      draw: (small, large, attempt) => {
        attempts.push(attempt);
        const b = Float64Array.from({ length: small * large }, () => r() - 0.5);
        if (attempt === 0) b.set(b.subarray(0, large), large); // row 2 = row 1: rank 1
        return b;
      },
    });
    expect(attempts).toEqual([0, 1]);
    expect(al.draws).toBe(2);
    expect(al.rank).toBe(2);
    expect(al.residual).toBeLessThan(1e-12);
  });

  it('gives up after maxDraws rank-deficient draws, saying so', () => {
    expect(() =>
      drawAlignment(4, 2, { random: rng(1), maxDraws: 3, draw: (s, l) => new Float64Array(s * l).fill(1) }),
    ).toThrow('alignment 4→2: no draw of B (2×4) had full rank 2 in 3 draws (draw 1: rank 1, draw 2: rank 1, draw 3: rank 1)');
  });
});

describe('bad input', () => {
  it('names a layer type the method cannot take', () => {
    expect(() =>
      partitionLayers([
        { name: 'dense_1', className: 'Dense', outDim: 8 },
        { name: 'lstm_1', className: 'LSTM', outDim: 8 },
      ]),
    ).toThrow("layer 'lstm_1' is a LSTM, which Koopman credit assignment cannot take");
  });

  it('partitions layer by layer, activations and shape layers joining the block before', () => {
    const plans = partitionLayers([
      { name: 'c1', className: 'Conv2D', outDim: 10 },
      { name: 'p1', className: 'MaxPooling2D', outDim: 5 },
      { name: 'f', className: 'Flatten', outDim: 5 },
      { name: 'd1', className: 'Dense', outDim: 3 },
      { name: 'a', className: 'Activation', outDim: 3 },
    ]);
    expect(plans.map((p) => [p.name, p.kind, p.layers])).toEqual([
      ['c1', 'conv', [0]],
      ['p1', 'pool', [1, 2]],
      ['d1', 'dense', [3, 4]],
    ]);
    expect(() => partitionLayers([{ name: 'a', className: 'Dense', outDim: 1 }, { name: 'b', className: 'Dense', outDim: 1 }], [['b'], ['a']])).toThrow(
      "blocks[0]: layer 'b' is out of order",
    );
    expect(() => partitionLayers([{ name: 'a', className: 'Dense', outDim: 1 }, { name: 'b', className: 'Dense', outDim: 1 }], [['a']])).toThrow(
      "blocks do not cover the model: layers from 'b' on are in no block",
    );
  });

  it('refuses too few inputs for the embedding of an L2S block, naming the block and the count', () => {
    const block = linearBlock('narrow', randomMatrix(2, 6, 1), 2, 6);
    expect(() => assignCredit([block], randomInputs(3, 6, 1), 3, rng(1), { components: 'all' })).toThrow(
      "too few inputs for the step-delay embedding of block 'narrow' (L2S 6→2): needs at least 5 so the snapshots span its operator; got 3",
    );
  });

  it('stops at the step where the iteration leaves the finite numbers', () => {
    const block = linearBlock('blowup', [1e200, 0, 0, 1e200], 2, 2);
    expect(() => assignCredit([block], randomInputs(3, 2, 1), 3, rng(1), { components: 'all', affine: false, renormalize: false })).toThrow(
      "block 'blowup': the step-delay iteration became non-finite at step 2 of 4",
    );
  });

  it('renormalize keeps an expanding iteration at the scale of its inputs and still recovers the map', () => {
    const w = [3, 1, 0, 2.5];
    const block = linearBlock('expand', w, 2, 2);
    const plain = assignCredit([block], randomInputs(3, 2, 1), 3, rng(1), { components: 'all', affine: false, renormalize: false });
    const kept = assignCredit([block], randomInputs(3, 2, 1), 3, rng(1), { components: 'all', affine: false });
    expect(plain.blocks[0].growth).toBeGreaterThan(2 ** 4);
    expect(kept.blocks[0].growth).toBeLessThan(3.5);
    expect(maxDiff(kept.blocks[0].operator.data, w)).toBeLessThan(1e-10);
    expect(kept.blocks[0].logCredit).toBeCloseTo(Math.log(7.5), 10);
  });

  it('rejects unknown option keys and bad values by name', () => {
    expect(() => resolveCreditOptions({ repeat: 3 } as never)).toThrow("unknown credit option 'repeat'");
    expect(() => resolveCreditOptions({ components: 0 })).toThrow("components must be an integer ≥ 1 or 'all'; got 0");
  });
});
