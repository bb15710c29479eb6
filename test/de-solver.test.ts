import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/index.js';
import { deSolverCommand } from '../experiments/de-solver/cli.js';
import { QUICK_SCHEDULE, bestSettings, BEST_AT_PAPER_SCALE, PAPER_SCHEDULE, paperStride } from '../experiments/shared/de-solver/config.js';
import { cellNumber, parseCsv } from '../experiments/shared/report/index.js';
import { buildSolverNet, forwardWithRate, physicsLossValue, solverOutputs, solverVariables } from '../experiments/shared/de-solver/network.js';
import { OPTIMIZERS, solverOptimizer } from '../experiments/shared/de-solver/optimizers.js';
import { SUMMARY_COLUMNS } from '../experiments/de-solver/report.js';
import { storeRuns } from '../experiments/de-solver/store.js';
import { makeOptimizer } from '../experiments/shared/optimizers.js';
import { setLearningRate } from '../src/tfjs/learning-rate.js';
import { PAPER_PROBLEM, energy, learningRate } from '../experiments/shared/de-solver/problem.js';
import { rk4Oscillator } from '../experiments/de-solver/rk4.js';
import { writeCsv } from '../experiments/shared/report/index.js';
import type { RunRow } from '../experiments/de-solver/results.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const sig = (z: number) => 1 / (1 + Math.exp(-z));

/** A 1 → 3 → 2 → 2 sigmoid network with fixed weights, its output and dN/dt computed by hand in float64. */
function smallNet() {
  const W1 = [[0.7, -1.2, 0.4]];
  const b1 = [0.1, 0.3, -0.5];
  const W2 = [
    [0.5, -0.3],
    [-0.8, 0.9],
    [1.1, 0.2],
  ];
  const b2 = [-0.2, 0.4];
  const W3 = [
    [1.3, -0.6],
    [-0.7, 0.8],
  ];
  const b3 = [0.05, -0.15];
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 3, inputShape: [1], activation: 'sigmoid', name: 'a' }));
  m.add(tf.layers.dense({ units: 2, activation: 'sigmoid', name: 'b' }));
  m.add(tf.layers.dense({ units: 2, activation: 'linear', name: 'c' }));
  m.setWeights([tf.tensor2d(W1), tf.tensor1d(b1), tf.tensor2d(W2), tf.tensor1d(b2), tf.tensor2d(W3), tf.tensor1d(b3)]);
  const analytic = (t: number) => {
    const z1 = b1.map((b, j) => W1[0][j] * t + b);
    const h1 = z1.map(sig);
    const h1d = h1.map((s, j) => s * (1 - s) * W1[0][j]);
    const z2 = b2.map((b, k) => b + h1.reduce((a, h, j) => a + h * W2[j][k], 0));
    const h2 = z2.map(sig);
    const z2d = b2.map((_, k) => h1d.reduce((a, hd, j) => a + hd * W2[j][k], 0));
    const h2d = h2.map((s, k) => s * (1 - s) * z2d[k]);
    const out = b3.map((b, i) => b + h2.reduce((a, h, k) => a + h * W3[k][i], 0));
    const outd = b3.map((_, i) => h2d.reduce((a, hd, k) => a + hd * W3[k][i], 0));
    return { out, outd };
  };
  return { m, analytic };
}

describe('de-solver: forward-mode time derivative', () => {
  it('matches the analytic derivative of a small known network to 1e-6, and its value matches predict()', () => {
    const { m, analytic } = smallNet();
    const ts = [0, 0.3, 1.1, 2.5, 4, 7.7, 12.5];
    const t = tf.tensor2d(ts, [ts.length, 1]);
    const { value, rate } = forwardWithRate(m, t);
    const v = value.arraySync();
    const r = rate.arraySync();
    const pred = (m.predict(t) as tf.Tensor).arraySync() as number[][];
    let maxErr = 0;
    ts.forEach((ti, i) => {
      const a = analytic(ti);
      for (let k = 0; k < 2; k++) {
        maxErr = Math.max(maxErr, Math.abs(r[i][k] - a.outd[k]), Math.abs(v[i][k] - a.out[k]));
        expect(v[i][k]).toBeCloseTo(pred[i][k], 6);
      }
    });
    expect(maxErr).toBeLessThan(1e-6);
    expect(Math.max(...r.flat().map(Math.abs))).toBeGreaterThan(0.01); // the derivative is not trivially 0
    tf.dispose([t, value, rate]);
    m.dispose();
  });

  it('x̂, p̂ meet the initial condition exactly and dx̂/dt follows the product rule with e^{−t}', () => {
    const { m, analytic } = smallNet();
    const ts = [0, 0.5, 2, 6];
    const t = tf.tensor2d(ts, [ts.length, 1]);
    const o = solverOutputs(m, t, PAPER_PROBLEM);
    const x = o.x.dataSync();
    const p = o.p.dataSync();
    const dx = o.dx.dataSync();
    const dp = o.dp.dataSync();
    expect(x[0]).toBeCloseTo(1.3, 6);
    expect(p[0]).toBeCloseTo(1.0, 6);
    ts.forEach((ti, i) => {
      const a = analytic(ti);
      const f = 1 - Math.exp(-ti);
      const fd = Math.exp(-ti);
      expect(Math.abs(dx[i] - (fd * a.out[0] + f * a.outd[0]))).toBeLessThan(1e-6);
      expect(Math.abs(dp[i] - (fd * a.out[1] + f * a.outd[1]))).toBeLessThan(1e-6);
    });
    tf.dispose([t, o.x, o.p, o.dx, o.dp]);
    m.dispose();
  });

  it('the solver net has 20, 110 and 22 weights, is reproducible per seed, and its loss has finite weight gradients', () => {
    const a = buildSolverNet(3);
    const b = buildSolverNet(3);
    const c = buildSolverNet(4);
    expect(a.layers.map((l) => l.countParams())).toEqual([20, 110, 22]);
    const wa = a.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = b.getWeights().map((w) => Array.from(w.dataSync()));
    const wc = c.getWeights().map((w) => Array.from(w.dataSync()));
    expect(wa).toEqual(wb);
    expect(wa).not.toEqual(wc);
    expect(Math.max(...wa[0].map(Math.abs))).toBeLessThanOrEqual(1); // U(±1/√1) for the first layer
    expect(Math.max(...wa[2].map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(10) + 1e-7);
    const t = tf.tensor2d([0, 1, 2, -0.5 /* negative x̂ is possible: cube by products */], [4, 1]);
    const { grads, value } = tf.variableGrads(() => tf.tidy(() => {
      const o = solverOutputs(a, t);
      return tf.add(tf.mean(tf.square(tf.sub(o.dx, o.p))), tf.mean(tf.square(tf.add(tf.add(o.dp, o.x), tf.mul(tf.mul(o.x, o.x), o.x))))) as tf.Scalar;
    }), solverVariables(a));
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(Object.keys(grads)).toHaveLength(6);
    for (const g of Object.values(grads)) expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([t, value, ...Object.values(grads)]);
    [a, b, c].forEach((m) => m.dispose());
  });
});

describe('de-solver: learning-rate schedule', () => {
  it('η(t) = 8/(1000 + t)', () => {
    expect(learningRate(0)).toBe(0.008);
    expect(learningRate(1000)).toBe(0.004);
    expect(learningRate(45_000)).toBeCloseTo(8 / 46_000, 15);
  });

  it.each(OPTIMIZERS)('setting the learning rate of %s scales its next update exactly', (name) => {
    // The first update of Adam, Adagrad (zero accumulator) and Adadelta is proportional to η for a
    // fixed gradient, so the update with η set to 0.5·η(0) must be half the one with η(0).
    const g = [1.5, -2, 0.25];
    const step = (lr: number | null) => {
      const v = tf.variable(tf.zeros([3])); // from 0 the update is read back exactly
      const opt = makeOptimizer(solverOptimizer(name));
      if (lr !== null) setLearningRate(opt, lr);
      opt.minimize(() => tf.sum(tf.mul(v, tf.tensor1d(g))) as tf.Scalar, false, [v]);
      const d = Array.from(v.dataSync());
      v.dispose();
      opt.dispose();
      return d;
    };
    const base = step(null);
    const same = step(learningRate(0));
    const half = step(learningRate(0) / 2);
    const other = step(learningRate(44_000));
    for (let i = 0; i < 3; i++) {
      expect(Math.sign(base[i])).toBe(-Math.sign(g[i])); // a descent step
      expect(same[i]).toBe(base[i]);
      expect(half[i] / base[i]).toBeCloseTo(0.5, 6);
      expect(other[i] / base[i]).toBeCloseTo(learningRate(44_000) / learningRate(0), 6);
    }
  });

  it('refuses an optimizer without a numeric learning rate', () => {
    expect(() => setLearningRate({ getClassName: () => 'Fake' } as unknown as tf.Optimizer, 0.1)).toThrow(/no numeric learningRate/);
  });
});

describe('de-solver: RK4 reference', () => {
  it('reproduces the linear oscillator (λ = 0) x = x0 cos t + p0 sin t to 1e-10', () => {
    const prob = { ...PAPER_PROBLEM, lambda: 0 };
    const r = rk4Oscillator(prob, 201, 100);
    let e = 0;
    r.t.forEach((t, i) => {
      e = Math.max(e, Math.abs(r.x[i] - (1.3 * Math.cos(t) + Math.sin(t))), Math.abs(r.p[i] - (-1.3 * Math.sin(t) + Math.cos(t))));
    });
    expect(r.t[200]).toBeCloseTo(4 * Math.PI, 12);
    expect(e).toBeLessThan(1e-10);
  });

  it('conserves H = p²/2 + x²/2 + λx⁴/4 to 1e-8 over [0, 4π] for λ = 1', () => {
    const r = rk4Oscillator(PAPER_PROBLEM, 401, 100);
    const h0 = energy(1.3, 1.0, 1);
    expect(h0).toBeCloseTo(0.5 + 0.845 + 0.25 * 1.3 ** 4, 12);
    let drift = 0;
    for (let i = 0; i < r.t.length; i++) drift = Math.max(drift, Math.abs(energy(r.x[i], r.p[i], 1) - h0));
    expect(drift).toBeLessThan(1e-8);
    // It is a genuine oscillation: x changes sign.
    expect(Math.min(...r.x)).toBeLessThan(-1);
    expect(Math.max(...r.x)).toBeGreaterThan(1.3);
  });
});

describe('de-solver: configuration', () => {
  it('best settings scale with T and stay multiples of recordEvery', () => {
    const b = bestSettings(PAPER_SCHEDULE);
    expect(b).toEqual({ ...BEST_AT_PAPER_SCALE, fit: { ...BEST_AT_PAPER_SCALE.fit } });
    const q = bestSettings(QUICK_SCHEDULE);
    for (const v of [q.start, q.window, q.every, ...q.candidates]) expect(v % q.recordEvery).toBe(0);
    expect(Math.max(...q.candidates)).toBe((Math.max(...b.candidates) * QUICK_SCHEDULE.horizon) / PAPER_SCHEDULE.horizon);
  });
  it('the paper-stride stride is 25 at the paper scale, scales with T and divides the window and T', () => {
    expect(paperStride(PAPER_SCHEDULE)).toBe(25);
    expect(paperStride({ steps: 12_000, t1: 7_000, t2: 9_000, horizon: 500 })).toBe(5);
    // 2 500 × 0.4 = 10, but 10 does not divide t2 − t1 = 1 999: the largest stride ≤ 10 that divides both is 1.
    expect(paperStride({ steps: 5_000, t1: 1, t2: 2_000, horizon: 1_000 })).toBe(1);
    expect(paperStride({ steps: 5_000, t1: 0, t2: 2_000, horizon: 1_000 })).toBe(10);
  });
});

describe('de-solver: quick experiment end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'de-solver-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs through the CLI command on two workers and writes runs, summary, report and plots', async () => {
    await yargs([]).command(deSolverCommand).strict().parseAsync(['de-solver', '--quick', '--optimizer', 'adadelta', '--jobs', '2', '--backend', 'wasm', '--out', dir]);
    for (const f of ['runs.csv', 'summary.csv', 'summary.md', 'sessions.json', 'teq_distribution.svg', 'loss_koopman_vs_optimizer_adadelta.svg', 'weights_adadelta.svg', 'error_vs_growth_adadelta.svg', 'solution_adadelta.svg', 'training_adadelta.svg', 'details/adadelta-seed0.json', 'details/adadelta-seed1.json']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    const summaryText = readFileSync(join(dir, 'summary.csv'), 'utf8');
    expect(summaryText.split('\n')[0]).toBe(SUMMARY_COLUMNS.join(','));
    expect(summaryText.split('\n')[0]).toBe('optimizer,config,runs,success_rate,median_teq_over_t,median_speedup_paper,median_speedup_honest,median_error_to_growth,median_end_to_end');
    const summary = parseCsv(summaryText);
    expect(summary.map((r) => `${r.optimizer}/${r.config}/${r.runs}`)).toEqual(['adadelta/paper/2', 'adadelta/best/2']);
    for (const r of summary) {
      for (const c of SUMMARY_COLUMNS.slice(2)) {
        if (r[c] === '') {
          expect(`${r.config}.${c}`).toBe('paper.median_end_to_end'); // the only measure undefined for paper
        } else expect(Number.isFinite(cellNumber(r[c])), `${r.config}.${c}=${r[c]}`).toBe(true);
      }
      expect(cellNumber(r.success_rate)).toBeGreaterThanOrEqual(0);
      expect(cellNumber(r.success_rate)).toBeLessThanOrEqual(1);
    }
    const runs = parseCsv(readFileSync(join(dir, 'runs.csv'), 'utf8'));
    expect(runs).toHaveLength(6);
    // At the quick scale the paper-stride stride is 1: the same fit as paper, so the same jump.
    expect(paperStride(QUICK_SCHEDULE)).toBe(1);
    for (const seed of ['0', '1']) {
      const [a, b] = ['paper', 'paper-stride'].map((c) => runs.find((r) => r.config === c && r.seed === seed)!);
      expect(b.loss_ko).toBe(a.loss_ko);
      expect(b.teq).toBe(a.teq);
    }
    const S = QUICK_SCHEDULE;
    for (const r of runs) {
      expect(cellNumber(r.identical_prefix)).toBe(1); // paper jump undone bit-exactly; best = plain until its first jump
      expect(cellNumber(r.plain_final_loss)).toBeGreaterThan(0);
      expect(cellNumber(r.teq)).toBeGreaterThanOrEqual(0);
      expect(cellNumber(r.teq)).toBeLessThanOrEqual(S.steps);
      expect(cellNumber(r.rk4_max_err_plain)).toBeGreaterThan(0);
      expect(Number.isFinite(cellNumber(r.rk4_max_err))).toBe(true);
      expect(r.backend).toBe('wasm');
      if (r.config !== 'best') {
        expect(cellNumber(r.plain_final_loss)).toBeLessThan(cellNumber(r.loss_t2)); // training went on past t2
        expect(cellNumber(r.jump_step)).toBe(S.t2);
        expect(cellNumber(r.jump_horizon)).toBe(S.horizon);
        expect(cellNumber(r.ko_ms_honest)).toBeGreaterThanOrEqual(cellNumber(r.ko_ms_extrapolate));
      } else {
        expect(cellNumber(r.jumps_tried)).toBeGreaterThanOrEqual(cellNumber(r.jumps_accepted));
        expect(cellNumber(r.optimizer_steps)).toBeLessThanOrEqual(S.steps);
        if (cellNumber(r.reached_plain_final) === 1) expect(cellNumber(r.final_loss)).toBeLessThanOrEqual(cellNumber(r.plain_final_loss));
      }
    }
    const md = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(md).toMatch(/84%/); // the paper's Table 1 beside ours
    expect(md).toMatch(/141×/);
    expect(md).toMatch(/--quick --optimizer adadelta/);
    expect(md).toMatch(/adadelta 2/);
    // the verdict follows from the figure printed beside it
    const e2e = /adadelta\/best, end-to-end ≥ 2×: ([\d.]+)× \*\*(not met|met)\*\*/.exec(md);
    expect(e2e).not.toBeNull();
    expect(e2e![2]).toBe(Number(e2e![1]) >= 2 ? 'met' : 'not met');

    // The trade-off rows score the same fits the plugin made: where best's first jump sits on a
    // scored window end, its loss is the row's at that horizon (quick best: window 100, every step).
    for (const f of ['tradeoff/jobs/adadelta-seed0.csv', 'tradeoff/jobs/adadelta-seed1.csv', 'tradeoff/summary.csv', 'tradeoff/summary.md']) expect(existsSync(join(dir, f)), f).toBe(true);
    const tr = parseCsv(readFileSync(join(dir, 'tradeoff/jobs/adadelta-seed0.csv'), 'utf8'));
    expect(new Set(tr.map((r) => r.end))).toEqual(new Set(['150', '200', '300', '400', '600']));
    expect(new Set(tr.map((r) => r.fit))).toEqual(new Set(['stabilised', 'unstabilised']));
    let crossChecked = 0;
    for (const seed of ['0', '1']) {
      const b = runs.find((r) => r.config === 'best' && r.seed === seed)!;
      const rows = parseCsv(readFileSync(join(dir, `tradeoff/jobs/adadelta-seed${seed}.csv`), 'utf8'));
      // best's first accepted jump may come at a later window than the scored ends
      const m = rows.find((r) => r.fit === 'stabilised' && r.end === b.jump_step && r.h === b.jump_horizon);
      if (!m) continue;
      crossChecked++;
      expect(Math.abs(cellNumber(m.loss_ko) / cellNumber(b.loss_ko) - 1)).toBeLessThan(1e-4);
      expect(cellNumber(m.error_to_growth)).toBeCloseTo(cellNumber(b.error_to_growth), 3);
    }
    expect(crossChecked).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'tradeoff/summary.md'), 'utf8')).toMatch(/\| stabilised \| 150 \| guard \| 2\/2 \|/);
    // One summary holds one best configuration.
    await expect(yargs([]).command(deSolverCommand).strict().parseAsync(['de-solver', '--quick', '--optimizer', 'adadelta', '--seeds', '1', '--best', 'agree', '--jobs', '1', '--backend', 'wasm', '--out', dir])).rejects.toThrow(
      /holds runs made with other best settings .* use another --out/,
    );

    // Appending: a new seed is added, a repeated key is replaced, another schedule is refused.
    const row = Object.fromEntries(Object.entries(runs[0]).map(([k, v]) => [k, k === 'optimizer' || k === 'config' || k === 'backend' ? v : cellNumber(v)])) as unknown as RunRow;
    expect(storeRuns(dir, [{ ...row, seed: 7 }])).toHaveLength(7);
    expect(storeRuns(dir, [{ ...row, seed: 7, teq: 1234 }]).filter((r) => r.seed === '7').map((r) => r.teq)).toEqual(['1234']);
    expect(() => storeRuns(dir, [{ ...row, steps: 999 }])).toThrow(/another schedule/);

    // A second process's out dir merges in: its runs, details and session; another schedule is refused.
    const dir2 = mkdtempSync(join(tmpdir(), 'de-solver-b-'));
    await yargs([]).command(deSolverCommand).strict().parseAsync(['de-solver', '--quick', '--optimizer', 'adadelta', '--seeds', '1', '--seed-offset', '2', '--jobs', '1', '--backend', 'wasm', '--out', dir2]);
    await yargs([]).command(deSolverCommand).strict().parseAsync(['de-solver', '--merge-from', dir2, '--out', dir]);
    const merged = parseCsv(readFileSync(join(dir, 'runs.csv'), 'utf8'));
    expect(merged.filter((r) => r.seed === '2').map((r) => r.config).sort()).toEqual(['best', 'paper', 'paper-stride']);
    expect(existsSync(join(dir, 'details', 'adadelta-seed2.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'sessions.json'), 'utf8'))).toHaveLength(2);
    expect(readFileSync(join(dir, 'summary.csv'), 'utf8')).toMatch(/adadelta,paper,3,/);
    const other = parseCsv(readFileSync(join(dir2, 'runs.csv'), 'utf8')).map((r) => ({ ...r, steps: '999' }));
    writeCsv(join(dir2, 'runs.csv'), other, Object.keys(other[0]));
    await expect(yargs([]).command(deSolverCommand).strict().parseAsync(['de-solver', '--merge-from', dir2, '--out', dir])).rejects.toThrow(/holds runs of another schedule \(999\/700\/900\/50\) than .* \(1200\/700\/900\/50\); not merged/);
    rmSync(dir2, { recursive: true, force: true });
  }, 300_000);

  it("--best agree: the guard tries only horizons whose whole- and half-window fits agree within 0.002, as the offline scores say", async () => {
    const dir3 = mkdtempSync(join(tmpdir(), 'de-solver-agree-'));
    try {
      await yargs([]).command(deSolverCommand).strict().parseAsync(['de-solver', '--quick', '--optimizer', 'adagrad', '--seeds', '1', '--best', 'agree', '--jobs', '1', '--backend', 'wasm', '--out', dir3]);
      const [session] = JSON.parse(readFileSync(join(dir3, 'sessions.json'), 'utf8'));
      expect(session.best).toMatchObject({ start: 100, window: 100, agreement: 0.002, fit: { stabilize: false } });
      expect(session.command).toMatch(/--best agree/);
      const b = parseCsv(readFileSync(join(dir3, 'runs.csv'), 'utf8')).find((r) => r.config === 'best')!;
      expect(cellNumber(b.jumps_accepted)).toBeGreaterThan(0);
      const rows = parseCsv(readFileSync(join(dir3, 'tradeoff/jobs/adagrad-seed0.csv'), 'utf8')).filter((r) => r.fit === 'unstabilised' && r.end === b.jump_step);
      expect(rows.length).toBeGreaterThan(0);
      const taken = rows.find((r) => r.h === b.jump_horizon);
      expect(taken, `horizon ${b.jump_horizon} among the scored ones`).toBeDefined();
      expect(cellNumber(taken!.disagreement)).toBeLessThanOrEqual(0.002);
      // the guard took the lowest loss among the agreeing horizons
      const agreeing = rows.filter((r) => cellNumber(r.disagreement) <= 0.002 && cellNumber(r.loss_ko) < cellNumber(r.loss_end));
      const lowest = agreeing.reduce((x, r) => (cellNumber(r.loss_ko) < cellNumber(x.loss_ko) ? r : x));
      expect(lowest.h).toBe(b.jump_horizon);
    } finally {
      rmSync(dir3, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('de-solver: physics loss', () => {
  it('equals mean((dx̂/dt − p̂)²) + mean((dp̂/dt + x̂ + λx̂³)²) computed by hand in float64', () => {
    const { m, analytic } = smallNet();
    const ts = Array.from({ length: 9 }, (_, i) => (i * 4 * Math.PI) / 8);
    const t = tf.tensor2d(ts, [ts.length, 1]);
    let a = 0;
    let b = 0;
    for (const ti of ts) {
      const { out, outd } = analytic(ti);
      const f = 1 - Math.exp(-ti);
      const x = 1.3 + f * out[0];
      const p = 1.0 + f * out[1];
      const dx = Math.exp(-ti) * out[0] + f * outd[0];
      const dp = Math.exp(-ti) * out[1] + f * outd[1];
      a += (dx - p) ** 2;
      b += (dp + x + x ** 3) ** 2;
    }
    const expected = a / ts.length + b / ts.length;
    expect(expected).toBeGreaterThan(0.1);
    expect(Math.abs(physicsLossValue(m, t) - expected) / expected).toBeLessThan(1e-5);
    t.dispose();
    m.dispose();
  });
});
