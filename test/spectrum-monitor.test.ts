import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { windowAmplitudes as modeAmplitudes } from '../src/koopman/amplitudes.js';
import {
  SPECTRUM_MONITOR_DEFAULTS,
  SpectrumMonitor,
  eigenvalueSvg,
  resolveSpectrumMonitorArgs,
  spectrumMonitor,
  type SpectrumMonitorArgs,
} from '../plugins/spectrum-monitor/index.js';
import { decide, initialPatience, updatePatience } from '../plugins/spectrum-monitor/decide.js';
import { hankel } from '../src/spectrum/hankel.js';
import {
  epochsToDecay,
  seriesSpectrum,
  snapshotSpectrum,
  summariseSpectrum as summarise,
  weightSpectrum,
  type SpectrumSummary,
} from '../src/spectrum/spectrum.js';
import type { Complex } from '../src/linalg/complex.js';
import { rng } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

afterEach(() => {
  vi.restoreAllMocks();
});

function gaussian(seed: number): () => number {
  const r = rng(seed);
  return () => {
    const u = r() || 1e-12;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  };
}

/** A series Σ cₖ λₖᵗ (real λ) plus optional noise. */
interface Mode {
  c: number;
  lambda: number;
}
function series(modes: Mode[], length: number, noise = 0, seed = 1): number[] {
  const g = gaussian(seed);
  return Array.from({ length }, (_, t) => modes.reduce((s, m) => s + m.c * m.lambda ** t, 0) + noise * g());
}

/** Distance from λ to the nearest recovered eigenvalue. */
function nearest(eigs: Complex[], l: Complex): number {
  return Math.min(...eigs.map((e) => Math.hypot(e.re - l.re, e.im - l.im)));
}
function indexOf(s: SpectrumSummary, l: Complex): number {
  let best = -1;
  let dist = Infinity;
  s.eigenvalues.forEach((e, k) => {
    const d = Math.hypot(e.re - l.re, e.im - l.im);
    if (d < dist) {
      dist = d;
      best = k;
    }
  });
  return best;
}

/** ‖(1, λ, …, λ^{d−1})‖: the norm of a Hankel mode before normalisation. */
function hankelNorm(lambda: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += lambda ** (2 * j);
  return Math.sqrt(s);
}

/**
 * Analytic 'latest' importance shares of a Hankel DMD over the values t0 … e: mode k contributes
 * |cₖ|·|λₖ|^{e−d+1}·‖vₖ‖ at the newest snapshot (which starts at e − d + 1).
 */
function analyticShares(modes: Mode[], e: number, d: number): number[] {
  const w = modes.map((m) => Math.abs(m.c) * Math.abs(m.lambda) ** (e - d + 1) * hankelNorm(m.lambda, d));
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

function tinyModel(units = 1, inputs = 2): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units, inputShape: [inputs], useBias: true, kernelInitializer: 'zeros' }));
  model.compile({ loss: 'meanSquaredError', optimizer: tf.train.sgd(0.1) });
  return model;
}

describe('hankel', () => {
  it('stacks delayed copies of the series', () => {
    const h = hankel([1, 2, 3, 4, 5], 3);
    expect(h.map((s) => Array.from(s))).toEqual([
      [1, 2, 3],
      [2, 3, 4],
      [3, 4, 5],
    ]);
    expect(() => hankel([1, 2], 3)).toThrow('hankel: a series of 2 values is shorter than delays = 3');
    expect(() => hankel([1, 2, 3], 0)).toThrow('delays must be an integer ≥ 1; got 0');
  });
});

describe('modeAmplitudes', () => {
  it('returns the first-snapshot coefficients on unit-norm modes for exact data', () => {
    // x(t) = 3·0.5ᵗ e₁ + 2·1ᵗ e₂ + 4·0.2ᵗ e₃ (+ a second coordinate on the 0.5 mode)
    const snaps = Array.from({ length: 8 }, (_, t) => [3 * 0.5 ** t, 2, 4 * 0.2 ** t, 4 * 0.5 ** t]);
    const eigs = [
      { re: 1, im: 0 },
      { re: 0.5, im: 0 },
      { re: 0.2, im: 0 },
    ];
    const { amplitudes, reconstructionError } = modeAmplitudes(snaps, eigs);
    expect(amplitudes[0]).toBeCloseTo(2, 8);
    expect(amplitudes[1]).toBeCloseTo(5, 8); // ‖(3, 4)‖
    expect(amplitudes[2]).toBeCloseTo(4, 8);
    expect(reconstructionError).toBeLessThan(1e-9);
  });
});

describe('seriesSpectrum on Σ cₖλₖᵗ with known λₖ', () => {
  const d = 10;
  // 0.5 + 2·0.6ᵗ + 1·0.85ᵗ + 0.3·0.9ᵗcos(0.5t): eigenvalues 1, 0.6, 0.85, 0.9e^{±0.5i}
  const z = { re: 0.9 * Math.cos(0.5), im: 0.9 * Math.sin(0.5) };
  const clean = Array.from({ length: 30 }, (_, t) => 0.5 + 2 * 0.6 ** t + 0.85 ** t + 0.3 * 0.9 ** t * Math.cos(0.5 * t));
  const expected = [{ re: 1, im: 0 }, { re: 0.6, im: 0 }, { re: 0.85, im: 0 }, z, { re: z.re, im: -z.im }];

  it('recovers every eigenvalue to 1e-6 from clean data and the amplitudes the construction implies', () => {
    const s = seriesSpectrum(clean, d, { rank: 5, importance: 'amplitude' });
    expect(s.rank).toBe(5);
    for (const l of expected) expect(nearest(s.eigenvalues, l)).toBeLessThan(1e-6);
    expect(s.residuals.every((r) => r < 1e-8)).toBe(true);
    expect(s.kept.every(Boolean)).toBe(true);
    // amplitude of mode k = |cₖ|·‖(1, λₖ, …, λₖ^{d−1})‖ at the first snapshot (t0 = 0)
    expect(s.importance[indexOf(s, expected[0])]).toBeCloseTo(0.5 * hankelNorm(1, d), 6);
    expect(s.importance[indexOf(s, expected[1])]).toBeCloseTo(2 * hankelNorm(0.6, d), 6);
    expect(s.importance[indexOf(s, expected[2])]).toBeCloseTo(1 * hankelNorm(0.85, d), 6);
    expect(s.importance[indexOf(s, z)]).toBeCloseTo(0.15 * hankelNorm(0.9, d), 6);
    expect(s.reconstructionError).toBeLessThan(1e-8);
    expect(s.spectralRadius).toBeCloseTo(1, 6);
    expect(s.unstable).toBe(0);
  });

  it('recovers the eigenvalues to 0.005 from 60 epochs with noise 1e-4, the optimal hard threshold finding all 5', () => {
    const g = gaussian(3);
    const noisy = Array.from({ length: 60 }, (_, t) => 0.5 + 2 * 0.6 ** t + 0.85 ** t + 0.3 * 0.9 ** t * Math.cos(0.5 * t) + 1e-4 * g());
    const s = seriesSpectrum(noisy, d);
    expect(s.rank).toBe(5);
    for (const l of expected) expect(nearest(s.eigenvalues, l)).toBeLessThan(0.005);
  });

  it("'latest' importance, share near 1, slowest transient and epochs to converge follow from the construction", () => {
    const modes = [
      { c: 0.5, lambda: 1 },
      { c: 2, lambda: 0.6 },
      { c: 1, lambda: 0.85 },
    ];
    const x = series(modes, 22);
    const s = seriesSpectrum(x, d); // rank 0: the optimal hard threshold finds the 3 modes
    expect(s.rank).toBe(3);
    const want = analyticShares(modes, 21, d);
    modes.forEach((m, k) => expect(s.share[indexOf(s, { re: m.lambda, im: 0 })]).toBeCloseTo(want[k], 6));
    expect(s.shareNearOne).toBeCloseTo(want[0], 6);
    expect(s.slowestImportant!.re).toBeCloseTo(0.85, 6);
    expect(s.epochsToConverge).toBe(Math.ceil(Math.log(0.01) / Math.log(0.85))); // 29
    expect(s.epochsToConverge).toBe(29);
  });

  it('discards spurious Ritz values by their DMD_RRR residual', () => {
    const x = series(
      [
        { c: 0.5, lambda: 1 },
        { c: 1, lambda: 0.8 },
      ],
      40,
      1e-3,
      11,
    );
    const s = seriesSpectrum(x, 12, { rank: 6 });
    expect(s.rank).toBe(6);
    const one = indexOf(s, { re: 1, im: 0 });
    const eight = indexOf(s, { re: 0.8, im: 0 });
    expect(Math.abs(s.eigenvalues[one].re - 1)).toBeLessThan(0.01);
    expect(Math.abs(s.eigenvalues[eight].re - 0.8)).toBeLessThan(0.01);
    expect(s.kept[one] && s.kept[eight]).toBe(true);
    // the four noise-fitted Ritz values have residuals above 0.1 and are dropped
    const spurious = s.eigenvalues.map((_, k) => k).filter((k) => k !== one && k !== eight);
    expect(spurious).toHaveLength(4);
    for (const k of spurious) {
      expect(s.residuals[k]).toBeGreaterThan(0.1);
      expect(s.kept[k]).toBe(false);
      expect(s.share[k]).toBe(0);
    }
    expect(s.notes.join(' ')).toContain('4 of 6 Ritz values discarded: residual above 0.1');
    // with the filter off every Ritz value is kept
    const all = seriesSpectrum(x, 12, { rank: 6, residualThreshold: Infinity });
    expect(all.kept.every(Boolean)).toBe(true);
  });

  it('finds a growing mode and reports it as unstable with infinite epochs to converge', () => {
    const x = series(
      [
        { c: 1, lambda: 1 },
        { c: 0.01, lambda: 1.15 },
      ],
      30,
      1e-4,
      5,
    );
    const s = seriesSpectrum(x, 10);
    expect(nearest(s.eigenvalues, { re: 1.15, im: 0 })).toBeLessThan(0.005);
    expect(s.unstable).toBe(1);
    expect(s.spectralRadius).toBeCloseTo(1.15, 2);
    expect(s.epochsToConverge).toBe(Infinity);
  });

  it('rejects non-finite values and too-short series with clear messages', () => {
    expect(() => seriesSpectrum([1, 2, NaN, 4, 5], 2)).toThrow('series contains a non-finite value (NaN) at index 2');
    expect(() => seriesSpectrum([1, 2, 3], 2)).toThrow('series: 3 values give fewer than 3 Hankel snapshots of depth 2; need at least 4');
  });
});

describe('snapshotSpectrum of weight-like vectors (POD projection)', () => {
  it('recovers {1, 0.9, 0.5} from 400-dimensional snapshots and the importance shares', () => {
    const g = gaussian(9);
    const D = 400;
    const ws = Float64Array.from({ length: D }, g);
    const a = Float64Array.from({ length: D }, g);
    const b = Float64Array.from({ length: D }, g);
    const n = 30;
    const snaps = Array.from({ length: n }, (_, t) => ws.map((v, i) => v + a[i] * 0.9 ** t + b[i] * 0.5 ** t));
    const s = snapshotSpectrum(snaps);
    expect(s.dim).toBeLessThanOrEqual(n); // written in the POD basis, not 400-dimensional
    expect(s.rank).toBe(3);
    for (const l of [1, 0.9, 0.5]) expect(nearest(s.eigenvalues, { re: l, im: 0 })).toBeLessThan(1e-6);
    const norm = (v: Float64Array) => Math.hypot(...v);
    const w = [norm(ws), norm(a) * 0.9 ** (n - 1), norm(b) * 0.5 ** (n - 1)];
    const total = w[0] + w[1] + w[2];
    expect(s.share[indexOf(s, { re: 1, im: 0 })]).toBeCloseTo(w[0] / total, 6);
    expect(s.share[indexOf(s, { re: 0.9, im: 0 })]).toBeCloseTo(w[1] / total, 6);
  });
});

describe('weightSpectrum: the constant observable', () => {
  it('finds λ = 1 when the fixed point lies in the span of the transient (zero initialisation)', () => {
    const g = gaussian(4);
    const wStar = Float64Array.from({ length: 400 }, g);
    const snaps = Array.from({ length: 25 }, (_, t) => wStar.map((v) => v * (1 - 0.9 ** t)));
    // one direction only: a linear map cannot hold both 1 and 0.9 without the constant
    expect(nearest(snapshotSpectrum(snaps).eigenvalues, { re: 1, im: 0 })).toBeGreaterThan(0.01);
    const s = weightSpectrum(snaps);
    expect(s.rank).toBe(2);
    expect(nearest(s.eigenvalues, { re: 1, im: 0 })).toBeLessThan(1e-8);
    expect(nearest(s.eigenvalues, { re: 0.9, im: 0 })).toBeLessThan(1e-8);
    expect(s.notes[0]).toMatch(/^a constant observable \d\.\d\de-\d+ was appended to every snapshot$/);
    // latest shares: ‖w*‖ for λ = 1 and ‖w*‖·0.9²⁴ for λ = 0.9 (the constant changes this by < 1e-6)
    expect(s.share[indexOf(s, { re: 1, im: 0 })]).toBeCloseTo(1 / (1 + 0.9 ** 24), 6);
  });
});

describe('summarise (pure statistics)', () => {
  it('computes share near 1, spectral radius, unstable modes and the slowest important transient', () => {
    const eigs = [
      { re: 1.0, im: 0 }, // near 1
      { re: 0.995, im: 0.01 }, // near 1 (|λ − 1| ≈ 0.011)
      { re: 0.7, im: 0 }, // important transient
      { re: 0.2, im: 0 }, // unimportant
      { re: 1.3, im: 0 }, // spurious: large residual
    ];
    const s = summarise(eigs, [6, 2, 1.5, 0.5, 10], [0, 0, 0, 0, 0.5], {}, {
      rank: 5,
      rankRule: 'test',
      snapshots: 10,
      dim: 5,
      reconstructionError: 0,
      notes: [],
    });
    expect(s.kept).toEqual([true, true, true, true, false]);
    expect(s.share.map((x) => +x.toFixed(4))).toEqual([0.6, 0.2, 0.15, 0.05, 0]);
    expect(s.important).toEqual([true, true, true, true, false]);
    expect(s.shareNearOne).toBeCloseTo(0.8, 12);
    expect(s.spectralRadius).toBe(1); // the discarded 1.3 does not count
    expect(s.unstable).toBe(0);
    expect(s.slowestImportant).toEqual({ re: 0.7, im: 0 });
    expect(s.epochsToConverge).toBe(Math.ceil(Math.log(0.01) / Math.log(0.7))); // 13
    expect(epochsToDecay(0.5, 0.001)).toBe(10);
    expect(epochsToDecay(1, 0.01)).toBe(Infinity);
  });
});

/** Drives a monitor by hand with a list of monitored values, every spectral rule on unless `args` says otherwise; returns it after the first non-continue. */
async function drive(values: number[], args: SpectrumMonitorArgs, key = 'val_loss', model?: tf.LayersModel): Promise<SpectrumMonitor> {
  const sm = spectrumMonitor({ monitor: key, spectral: 'both', ...args });
  if (model) sm.setModel(model);
  await sm.onTrainBegin();
  for (let e = 0; e < values.length; e++) {
    await sm.onEpochEnd(e, { [key]: values[e] });
    if (sm.decisions[e].action !== 'continue') break;
  }
  return sm;
}

describe('decisions on series with known spectra', () => {
  const modes = [
    { c: 0.5, lambda: 1 },
    { c: 2, lambda: 0.6 },
    { c: 1, lambda: 0.85 },
  ];

  it('stops at the first epoch where the analytic share of λ = 1 reaches clusterShare', async () => {
    const x = series(modes, 200);
    const sm = await drive(x, { patience: 10 });
    const d = SPECTRUM_MONITOR_DEFAULTS.delays;
    let want = -1;
    for (let e = SPECTRUM_MONITOR_DEFAULTS.minEpochs - 1; e < 200 && want < 0; e++) {
      if (analyticShares(modes, e, d)[0] >= SPECTRUM_MONITOR_DEFAULTS.clusterShare) want = e;
    }
    expect(want).toBe(24);
    const last = sm.decisions[sm.decisions.length - 1];
    expect(last.epoch).toBe(want);
    expect(last.action).toBe('stop');
    expect(last.rule).toBe('fixed-point');
    expect(sm.stoppedEpoch).toBe(want);
    expect(sm.shouldRestart).toBe(false);
    for (const l of [1, 0.6, 0.85]) expect(nearest(last.spectrum!.eigenvalues, { re: l, im: 0 })).toBeLessThan(1e-6);
    expect(last.spectrum!.shareNearOne).toBeCloseTo(analyticShares(modes, want, d)[0], 6);
    expect(last.reason).toMatch(/^important eigenvalues cluster at 1 \(9\d(\.\d)?% in the loss spectrum within 0\.02 of λ = 1, no growing mode\): training has reached a fixed point\./);
    expect(last.reason).toContain('Slowest important transient λ = 0.850 (loss) falls to 1% of its size in about 29 epochs.');
    // every earlier epoch continued, with the spectral state in its reason
    expect(sm.decisions.slice(0, -1).every((x) => x.action === 'continue')).toBe(true);
    expect(x[5]).toBeCloseTo(1.0992, 4);
    expect(sm.decisions[5].reason).toBe('val_loss improved to 1.099; spectral decisions start after 20 epochs (seen 6)');
    expect(sm.decisions[20].reason).toMatch(/^val_loss improved to 0\.5\d+; loss: 8\d\.\d% of the importance near 1 \(stop at 90%\)\. Slowest important transient λ = 0\.850/);
  });

  it('stops before the validation loss starts to rise; patience alone stops after it rose', async () => {
    const val = (t: number) => 0.3 + 1.5 * 0.8 ** t + 0.6 * 0.6 ** t + (t > 45 ? 0.002 * (t - 45) ** 2 : 0);
    const x = Array.from({ length: 120 }, (_, t) => val(t));
    const firstRise = x.findIndex((v, t) => t > 0 && v > x[t - 1]);
    expect(firstRise).toBeGreaterThan(45);
    const spectral = await drive(x, { patience: 3 });
    const plain = await drive(x, { patience: 3, minEpochs: 10_000 });
    expect(spectral.stoppedEpoch).not.toBeNull();
    expect(spectral.decisions[spectral.decisions.length - 1].rule).toBe('fixed-point');
    expect(spectral.stoppedEpoch!).toBeLessThan(firstRise);
    expect(plain.decisions[plain.decisions.length - 1].rule).toBe('patience');
    expect(plain.stoppedEpoch).toBe(firstRise + 2); // wait reaches 3 on the third epoch without improvement
  });

  it('restarts on an important growing mode while the loss gets worse', async () => {
    const x = series(
      [
        { c: 1, lambda: 1 },
        { c: 0.5, lambda: 0.7 },
        { c: 0.001, lambda: 1.25 },
      ],
      80,
    );
    const model = tinyModel();
    const sm = await drive(x, { patience: 100 }, 'loss', model);
    const last = sm.decisions[sm.decisions.length - 1];
    expect(last.action).toBe('restart');
    expect(last.rule).toBe('growth');
    expect(last.epoch).toBeGreaterThanOrEqual(19); // never before minEpochs
    // while 1.25 was not yet important the cluster at 1 was not taken for a fixed point
    const early = sm.decisions[19];
    expect(early.action).toBe('continue');
    expect(early.spectrum!.shareNearOne).toBeGreaterThan(0.9);
    expect(early.reason).toContain('a growing mode not yet important (spectral radius 1.25): not a fixed point');
    expect(nearest(last.spectrum!.eigenvalues, { re: 1.25, im: 0 })).toBeLessThan(1e-6);
    expect(last.spectrum!.unstable).toBe(1);
    expect(last.reason).toMatch(/^growing mode λ = 1\.250 \(\|λ\| = 1\.25 > 1 \+ 0\.02, \d+(\.\d)?% of the importance\) in the loss spectrum while loss went from /);
    expect(last.reason).toContain('training is diverging from this initialisation; re-initialise. shouldRestart is now true: re-initialise the model and train again.');
    expect(sm.shouldRestart).toBe(true);
    expect(sm.stoppedEpoch).toBe(last.epoch);
    expect(model.stopTraining).toBe(true);
  });

  it('restarts when a fixed point is reached far above the target', async () => {
    const x = series(
      [
        { c: 2, lambda: 1 },
        { c: 0.5, lambda: 0.6 },
      ],
      60,
    );
    const sm = await drive(x, { patience: 100, target: 0.5 });
    const last = sm.decisions[sm.decisions.length - 1];
    expect(last.epoch).toBe(19);
    expect(last.action).toBe('restart');
    expect(last.rule).toBe('poor-fixed-point');
    expect(last.reason).toMatch(/but val_loss = 2 is still above the target 0\.5: this initialisation converged to a poor fixed point; re-initialise/);
    expect(sm.shouldRestart).toBe(true);
    // the same run with a target it meets just stops
    const ok = await drive(x, { patience: 100, target: 2.5 });
    expect(ok.decisions[ok.decisions.length - 1].rule).toBe('fixed-point');
    expect(ok.shouldRestart).toBe(false);
  });

  it('forecast restart: restarts a run whose Koopman forecast stays above the target, not one forecast to get below it', async () => {
    // 0.2 + 8·0.995ᵗ: far above the target 1 and falling slowly; λ = 0.995 is outside a 0.002 near-1 disc
    const x = series(
      [
        { c: 0.2, lambda: 1 },
        { c: 8, lambda: 0.995 },
      ],
      60,
    );
    const slow = await drive(x, { patience: 100, target: 1, nearOneRadius: 0.002, forecastEpochs: 100 });
    const last = slow.decisions[slow.decisions.length - 1];
    expect(last.epoch).toBe(19); // the first epoch spectral rules may act (minEpochs 20)
    expect(last.rule).toBe('poor-forecast');
    // the forecast is the two-mode series itself 100 epochs past the window's last value (epoch 19)
    const expected = 0.2 + 8 * 0.995 ** (19 + 100);
    expect(last.spectrum!.forecast!.epochs).toBe(100);
    expect(last.spectrum!.forecast!.value).toBeCloseTo(expected, 6);
    expect(last.reason).toMatch(/val_loss = 7\.\d+ is above the target 1, and the Koopman forecast of the loss spectrum puts it at 4\.\d+ 100 epochs from now/);
    expect(slow.shouldRestart).toBe(true);
    // 1000 epochs ahead the same run is forecast at 0.2 + 8·0.995¹⁰¹⁹ ≈ 0.25 < 1: no restart
    const patient = await drive(x, { patience: 100, target: 1, nearOneRadius: 0.002, forecastEpochs: 1000 });
    expect(patient.decisions.every((d) => d.action === 'continue')).toBe(true);
    // 1 030 steps of a λ fitted to ~1e-8 carry a relative error ~1e-4
    expect(patient.decisions[30].spectrum!.forecast!.value).toBeCloseTo(0.2 + 8 * 0.995 ** (30 + 1000), 3);
  });

  it("works in 'max' mode for accuracies", async () => {
    const acc = series(
      [
        { c: 0.9, lambda: 1 },
        { c: -0.6, lambda: 0.7 },
      ],
      60,
    );
    const stop = await drive(acc, { patience: 100 }, 'val_acc');
    expect(stop.decisions[stop.decisions.length - 1].rule).toBe('fixed-point');
    const again = await drive(acc, { patience: 100, target: 0.95 }, 'val_acc');
    const last = again.decisions[again.decisions.length - 1];
    expect(last.rule).toBe('poor-fixed-point');
    expect(last.reason).toMatch(/val_acc = 0\.89\d+ is still below the target 0\.95: this initialisation converged to a poor fixed point/);
  });

  it('restarts on a NaN loss at once and never fits it', async () => {
    const sm = await drive([1, 0.9, NaN, 0.5], { patience: 5 });
    expect(sm.decisions).toHaveLength(3);
    expect(sm.decisions[2].action).toBe('restart');
    expect(sm.decisions[2].rule).toBe('non-finite');
    expect(sm.decisions[2].reason).toBe('val_loss is NaN at epoch 2: training diverged; re-initialise the weights (a lower learning rate may help). shouldRestart is now true: re-initialise the model and train again.');
    expect(sm.decisions[2].spectrum).toBeNull();
  });

  it("a growing window gives the same stop with 'latest' importance (the window start does not matter)", async () => {
    const x = series(modes, 200);
    const grow = await drive(x, { patience: 10, window: 'growing' });
    expect(grow.decisions[grow.decisions.length - 1].epoch).toBe(24);
    expect(grow.decisions[24].spectrum!.snapshots).toBe(25 - 10 + 1);
  });

  it('with both observables it stops only when the loss and the weights both cluster at 1', async () => {
    // weights w(t) = w* + a·0.88ᵗ (set by hand each epoch), loss 0.5 + 0.85ᵗ
    const wStar = [0.3, -0.2, 0.1];
    const a = [3, 2, -4];
    const lossModes = [
      { c: 0.5, lambda: 1 },
      { c: 1, lambda: 0.85 },
    ];
    const model = tinyModel(1, 2); // kernel 2×1 + bias 1: three weights
    const sm = spectrumMonitor({ observables: ['loss', 'weights'], patience: 100, spectral: 'both' }).attach(model);
    const loss = series(lossModes, 200);
    for (let t = 0; t < 200; t++) {
      const w = wStar.map((v, i) => v + a[i] * 0.88 ** t);
      const ws = [tf.tensor2d([w[0], w[1]], [2, 1]), tf.tensor1d([w[2]])];
      model.setWeights(ws);
      tf.dispose(ws);
      if ((await sm.afterEpoch({ valLoss: loss[t] })).action !== 'continue') break;
    }
    const norm = (v: number[]) => Math.hypot(...v);
    const firstEpoch = (share: (e: number) => number) => {
      for (let e = 19; ; e++) if (share(e) >= 0.9) return e;
    };
    const lossStop = firstEpoch((e) => analyticShares(lossModes, e, 10)[0]);
    const weightStop = firstEpoch((e) => norm(wStar) / (norm(wStar) + norm(a) * 0.88 ** e));
    expect(weightStop).toBeGreaterThan(lossStop); // the loss alone would have stopped earlier
    const last = sm.decisions[sm.decisions.length - 1];
    expect(last.rule).toBe('fixed-point');
    expect(last.epoch).toBe(Math.max(lossStop, weightStop));
    expect(nearest(last.spectra.weights!.eigenvalues, { re: 0.88, im: 0 })).toBeLessThan(1e-4);
    expect(nearest(last.spectra.loss!.eigenvalues, { re: 0.85, im: 0 })).toBeLessThan(1e-6);
    expect(last.reason).toMatch(/in the loss spectrum, \d+(\.\d)?% in the weights spectrum within 0\.02 of λ = 1/);
    expect(last.spectrum).toBe(last.spectra.loss);
  });
});

describe('tf.callbacks.earlyStopping compatibility (driven by hand)', () => {
  async function compare(values: (number | undefined)[], args: SpectrumMonitorArgs, key: string): Promise<void> {
    const esArgs = { monitor: key, ...args } as Parameters<typeof tf.callbacks.earlyStopping>[0];
    const es = tf.callbacks.earlyStopping(esArgs);
    const sm = spectrumMonitor({ monitor: key, ...args });
    const m1 = tinyModel();
    const m2 = tinyModel();
    es.setModel(m1);
    sm.setModel(m2);
    await es.onTrainBegin();
    await sm.onTrainBegin();
    for (let e = 0; e < values.length; e++) {
      const logs = values[e] === undefined ? { other: 1 } : { [key]: values[e]! };
      await es.onEpochEnd(e, { ...logs });
      await sm.onEpochEnd(e, { ...logs });
      expect(m2.stopTraining, `epoch ${e}, ${JSON.stringify(args)}`).toBe(m1.stopTraining);
    }
  }

  it('stops on the same epoch for random logs over patience, minDelta, mode and baseline', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const r = rng(42);
    let checked = 0;
    for (const patience of [0, 1, 3]) {
      for (const minDelta of [0, 0.1, -0.1]) {
        for (const [key, mode] of [
          ['val_loss', 'auto'],
          ['val_loss', 'min'],
          ['val_acc', 'auto'],
          ['loss', 'max'],
        ] as const) {
          for (const baseline of [undefined, 9.5]) {
            // a noisy walk quantised to 0.1 so that ties and exact minDelta steps occur
            let v = 10;
            const values = Array.from({ length: 15 }, () => (v = Math.round((v + (r() - 0.55)) * 10) / 10));
            await compare(values, { patience, minDelta, mode, baseline, minEpochs: 10_000 }, key);
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(72);
  });

  it('matches with default Koopman options on short runs, and ignores epochs without the monitor', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    await compare([10, 9, 9.5, 9.6, 9.7, 9.8], { patience: 3 }, 'val_loss');
    await compare([10, undefined, undefined, 9, 9.1], { patience: 1 }, 'val_loss');
    await compare([10, 10, 10], {}, 'val_loss'); // patience 0: stop at the first non-improvement
  });

  it('stops a real fit() on the same epoch as earlyStopping, without leaking tensors', async () => {
    const xs = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const ys = tf.tensor2d([1, 2, 3], [3, 1]);
    const run = async (cb: tf.Callback) => {
      const model = tinyModel();
      model.compile({ loss: 'meanSquaredError', optimizer: tf.train.sgd(0) }); // lr 0: loss never improves
      const before = tf.memory().numTensors;
      const h = await model.fit(xs, ys, { epochs: 10, validationData: [xs, ys], callbacks: [cb], verbose: 0 });
      const grown = tf.memory().numTensors - before;
      model.dispose();
      return { epochs: h.epoch.length, grown };
    };
    const es = await run(tf.callbacks.earlyStopping({ monitor: 'val_loss', patience: 2 }));
    const sm = spectrumMonitor({ patience: 2, restoreBestWeights: true, observables: ['loss', 'weights'] });
    const ours = await run(sm);
    expect(es.epochs).toBe(3);
    expect(ours.epochs).toBe(3);
    expect(ours.grown).toBe(0);
    expect(es.grown).toBe(0);
    expect(sm.decisions.map((d) => d.action)).toEqual(['continue', 'continue', 'stop']);
    expect(sm.decisions[0].value).toBeGreaterThan(0);
    tf.dispose([xs, ys]);
  });

  it('has a working restoreBestWeights, which tfjs rejects', async () => {
    expect(() => tf.callbacks.earlyStopping({ restoreBestWeights: true })).toThrow(/restoreBestWeights = True is not implemented/);
    const model = tinyModel();
    const sm = spectrumMonitor({ patience: 2, restoreBestWeights: true });
    sm.setModel(model);
    await sm.onTrainBegin();
    const start = tf.memory().numTensors;
    const setAll = (v: number) => {
      const ws = [tf.fill([2, 1], v), tf.fill([1], -v)];
      model.setWeights(ws);
      tf.dispose(ws);
    };
    const losses = [10, 5, 6, 7];
    for (let e = 0; e < losses.length; e++) {
      setAll(e + 1); // epoch e ends with every kernel weight = e + 1
      await sm.onEpochEnd(e, { val_loss: losses[e] });
    }
    const last = sm.decisions[3];
    expect(last.action).toBe('stop');
    expect(last.rule).toBe('patience');
    expect(last.reason).toBe(
      'val_loss did not improve on its best 5 (epoch 1) by more than minDelta = 0 for 2 epochs (patience 2). Restored the weights of epoch 1 (val_loss = 5).',
    );
    expect(model.stopTraining).toBe(true);
    expect(Array.from(model.getWeights()[0].dataSync())).toEqual([2, 2]);
    expect(Array.from(model.getWeights()[1].dataSync())).toEqual([-2]);
    expect({ best: sm.best, bestEpoch: sm.bestEpoch }).toEqual({ best: 5, bestEpoch: 1 });
    // the restored weights are the model's own: changing the monitor's buffers later does not touch them
    setAll(9);
    await sm.onEpochEnd(4, { val_loss: 1 });
    setAll(3);
    expect(Array.from(model.getWeights()[0].dataSync())).toEqual([3, 3]);
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('fit() with the weights observable on gradient descent with a known spectrum', () => {
  it('finds the eigenvalues 1 − 2ηcᵢ of the weight dynamics, stops at the fixed point, and leaks no tensors', async () => {
    // Linear least squares, full batch: w ← w − 2η·C·(w − w*), C = XᵀX/N = diag(1,1,1,1,¼,¼,¼,¼).
    const N = 8;
    const c = [1, 1, 1, 1, 0.25, 0.25, 0.25, 0.25];
    const eta = 0.1;
    const X = new Float32Array(N * N);
    for (let i = 0; i < N; i++) X[i * N + i] = Math.sqrt(N * c[i]);
    const wStar = [1, -1, 0.5, 2, -0.5, 1.5, 1, -2];
    const Y = Float32Array.from({ length: N }, (_, i) => X[i * N + i] * wStar[i]);
    const xs = tf.tensor2d(X, [N, N]);
    const ys = tf.tensor2d(Y, [N, 1]);
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 1, inputShape: [N], useBias: false, kernelInitializer: 'zeros' }));
    model.compile({ loss: 'meanSquaredError', optimizer: tf.train.sgd(eta) });
    const sm = spectrumMonitor({ monitor: 'loss', observables: ['weights'], patience: 1000, spectral: 'both' });
    const before = tf.memory().numTensors;
    const h = await model.fit(xs, ys, { epochs: 150, batchSize: N, callbacks: [sm], verbose: 0 });
    const mu = [1 - 2 * eta * 1, 1 - 2 * eta * 0.25]; // 0.8 and 0.95
    const last = sm.decisions[sm.decisions.length - 1];
    expect(last.rule).toBe('fixed-point');
    expect(h.epoch.length).toBe(last.epoch + 1);
    expect(h.epoch.length).toBeLessThan(150);
    const s = last.spectrum!;
    for (const l of [1, ...mu]) expect(nearest(s.eigenvalues, { re: l, im: 0 })).toBeLessThan(1e-3);
    // the decision epoch is where the analytic share of λ = 1 first reaches 90 %
    const e0 = Math.hypot(...wStar); // ‖w*‖, the λ = 1 amplitude
    const e1 = Math.hypot(...wStar.slice(0, 4));
    const e2 = Math.hypot(...wStar.slice(4));
    let want = -1;
    for (let e = 19; want < 0; e++) {
      const share = e0 / (e0 + e1 * mu[0] ** (e + 1) + e2 * mu[1] ** (e + 1)); // snapshot after epoch e = step e + 1
      if (share >= 0.9) want = e;
    }
    expect(Math.abs(last.epoch - want)).toBeLessThanOrEqual(1);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

describe('custom loops: attach / afterEpoch', () => {
  it('reads camelCase logs, numbers epochs itself and calls onDecision', async () => {
    const seen: string[] = [];
    const sm = spectrumMonitor({ patience: 1, onDecision: (d) => void seen.push(`${d.epoch}:${d.action}`) }).attach();
    const d0 = await sm.afterEpoch({ loss: 1, valLoss: 3 });
    const d1 = await sm.afterEpoch({ loss: 1, valLoss: 2 });
    const d2 = await sm.afterEpoch({ loss: 1, valLoss: 2.5 });
    expect([d0.epoch, d1.epoch, d2.epoch]).toEqual([0, 1, 2]);
    expect(d0.value).toBe(3);
    expect(d2.action).toBe('stop');
    expect(seen).toEqual(['0:continue', '1:continue', '2:stop']);
    // attach() starts a new run
    sm.attach();
    expect(sm.decisions).toHaveLength(0);
    expect(sm.stoppedEpoch).toBeNull();
  });

  it('needs a model for the weights observable and for restoreBestWeights', async () => {
    await expect(spectrumMonitor({ observables: ['weights'] }).attach().afterEpoch({ valLoss: 1 })).rejects.toThrow(
      "observables: ['weights'] needs the model: use the monitor in model.fit({ callbacks }) or call attach(model) first",
    );
    await expect(spectrumMonitor({ restoreBestWeights: true }).attach().afterEpoch({ valLoss: 1 })).rejects.toThrow(
      'restoreBestWeights needs the model',
    );
  });

  it('logs stop decisions when verbose', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const sm = spectrumMonitor({ verbose: 1 }).attach();
    await sm.afterEpoch({ valLoss: 1 });
    await sm.afterEpoch({ valLoss: 1 });
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][0]).toBe(
      'Epoch 1: stop — val_loss did not improve on its best 1 (epoch 0) by more than minDelta = 0 for 1 epoch (patience 0)',
    );
  });
});

describe('option validation', () => {
  const cases: [SpectrumMonitorArgs | Record<string, unknown>, string | RegExp][] = [
    [{ patience: -1 }, 'patience must be an integer ≥ 0; got -1'],
    [{ patience: 1.5 }, 'patience must be an integer ≥ 0; got 1.5'],
    [{ mode: 'down' }, "mode must be one of auto, min, max; got 'down'"],
    [{ monitor: '' }, "monitor must be a non-empty string naming a log key such as 'val_loss' or 'loss'; got ''"],
    [{ minDelta: NaN }, 'minDelta must be a finite number (its absolute value is used); got NaN'],
    [{ baseline: 'low' }, "baseline must be a finite number or null; got 'low'"],
    [{ restoreBestWeights: 1 }, 'restoreBestWeights must be true or false; got 1'],
    [{ observables: ['loss', 'grads'] }, "observables must be a non-empty array of 'loss', 'weights'; got ['loss', 'grads']"],
    [{ observables: [] }, "observables must be a non-empty array of 'loss', 'weights'; got []"],
    [{ window: 'tumbling' }, "window must be one of growing, sliding; got 'tumbling'"],
    [{ windowSize: 2 }, 'windowSize must be an integer ≥ 3; got 2'],
    [{ delays: 0 }, 'delays must be an integer ≥ 1; got 0'],
    [{ forecastEpochs: 0, target: 1 }, 'forecastEpochs must be an integer ≥ 1; got 0'],
    [{ forecastEpochs: 50 }, "forecastEpochs needs a target and the 'loss' observable (it forecasts the monitored value against the target); got target null, observables ['loss']"],
    [{ windowSize: 10, delays: 10 }, 'windowSize must be at least delays + 2 = 12 so the loss observable has two Hankel snapshot pairs; got windowSize 10 with delays 10'],
    [{ rank: 2.5 }, /rank must be -1 \(full\), 0 \(optimal hard threshold\), a fraction 0 < r < 1 \(energy\) or an integer ≥ 1; got 2.5/],
    [{ nearOneRadius: 0 }, 'nearOneRadius must be a number in (0, 1); got 0'],
    [{ importance: 'size' }, "importance must be one of amplitude, latest, energy; got 'size'"],
    [{ importanceThreshold: 2 }, 'importanceThreshold must be a number in [0, 1]; got 2'],
    [{ residualThreshold: 0 }, 'residualThreshold must be a number > 0 (Infinity keeps every Ritz pair); got 0'],
    [{ clusterShare: 0 }, 'clusterShare must be a number in (0, 1]; got 0'],
    [{ convergenceTolerance: 1 }, 'convergenceTolerance must be a number in (0, 1); got 1'],
    [{ target: Infinity }, 'target must be a finite number or null; got Infinity'],
    [{ minEpochs: -2 }, 'minEpochs must be an integer ≥ 0; got -2'],
    [{ onDecision: 'log' }, "onDecision must be a function (decision) => void or null; got 'log'"],
    [{ restoreBestWeight: true }, /^unknown spectrumMonitor option 'restoreBestWeight'; accepted options are monitor, minDelta, patience, mode, baseline, verbose, restoreBestWeights, observables/],
  ];
  it.each(cases)('%j → %s', (args, message) => {
    expect(() => spectrumMonitor(args as SpectrumMonitorArgs)).toThrow(message);
  });

  it('fills the defaults, and takes |minDelta| as tfjs does', () => {
    const o = resolveSpectrumMonitorArgs({ minDelta: -0.5 });
    expect(o.minDelta).toBe(0.5);
    expect(o.monitor).toBe('val_loss');
    expect(o.patience).toBe(0);
    expect(o.observables).toEqual(['loss']);
    expect(o.delays).toBe(10);
    expect(o.windowSize).toBe(30);
    expect(() => spectrumMonitor(null as unknown as SpectrumMonitorArgs)).toThrow('spectrumMonitor options must be an object; got null');
  });
});

describe('pure patience bookkeeping and decide()', () => {
  it('updatePatience follows tfjs: strict improvement by more than minDelta', () => {
    const o = resolveSpectrumMonitorArgs({ minDelta: 0.5 });
    let p = initialPatience(o);
    expect(p).toEqual({ best: Infinity, bestEpoch: null, wait: 0 });
    p = updatePatience(p, 10, 0, o).state;
    expect(p).toEqual({ best: 10, bestEpoch: 0, wait: 0 });
    const tie = updatePatience(p, 9.5, 1, o); // 9.5 + 0.5 < 10 is false
    expect(tie.improved).toBe(false);
    expect(tie.state.wait).toBe(1);
    expect(updatePatience(p, 9.4, 1, o).improved).toBe(true);
    const withBaseline = resolveSpectrumMonitorArgs({ baseline: 3, monitor: 'acc' });
    expect(initialPatience(withBaseline).best).toBe(3);
  });

  it('explains a missing monitor and a baseline that was never beaten', () => {
    const o = resolveSpectrumMonitorArgs({ patience: 1, baseline: 0.5 });
    const base = { epoch: 3, epochsSeen: 4, improved: false, windowStartValue: null, spectra: {}, pending: {} };
    expect(decide({ ...base, value: undefined, available: ['loss'], patience: initialPatience(o) }, o).reason).toBe(
      'val_loss is not in the logs (available: loss); nothing to decide',
    );
    const v = decide({ ...base, value: 0.7, patience: { best: 0.5, bestEpoch: null, wait: 1 } }, o);
    expect(v.action).toBe('stop');
    expect(v.reason).toBe('val_loss did not improve on the baseline 0.5 by more than minDelta = 0 for 1 epoch (patience 1)');
  });
});

describe('eigenvalueSvg', () => {
  it('draws the unit circle, the near-1 disc and markers sized by importance', () => {
    const spectrum = {
      eigenvalues: [
        { re: 1, im: 0 },
        { re: 0.5, im: 0.5 },
        { re: 0.5, im: -0.5 },
        { re: 1.2, im: 0 },
        { re: -0.3, im: 0 },
      ],
      share: [0.64, 0.09, 0.09, 0.18, 0],
      kept: [true, true, true, true, false],
      residuals: [0, 0.01, 0.01, 0.02, 0.7],
      shareNearOne: 0.64,
      spectralRadius: 1.2,
    };
    const svg = eigenvalueSvg(spectrum, { title: 'val_loss <epoch 30>', size: 400 });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="400"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('val_loss &lt;epoch 30&gt;');
    // plot radius 192 px over the extent max(1.25, 1.1·1.2) = 1.32
    const scale = 192 / 1.32;
    const unit = svg.match(/<circle class="unit-circle" cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"/)!;
    expect(Number(unit[3])).toBeCloseTo(scale, 1);
    const cx = Number(unit[1]);
    const cy = Number(unit[2]);
    const modes = [...svg.matchAll(/<circle class="mode( growing)?" cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"/g)];
    expect(modes).toHaveLength(4);
    expect([...svg.matchAll(/class="discarded"/g)]).toHaveLength(1);
    const one = modes.find((m) => Math.abs(Number(m[2]) - (cx + scale)) < 0.01)!;
    expect(Number(one[3])).toBeCloseTo(cy, 2);
    expect(Number(one[4])).toBeCloseTo(12 * Math.sqrt(0.64), 2); // 9.6 px
    expect(modes.filter((m) => m[1] === ' growing')).toHaveLength(1);
    expect(svg).toContain('4 kept, 1 discarded · ρ = 1.200 · 64% of importance near 1');
    expect(svg).toContain('<title>λ = -0.3000 + 0.0000i, |λ| = 0.3000, share 0.0%, residual 7.00e-1 (discarded)</title>');
    expect(() => eigenvalueSvg({ eigenvalues: [{ re: 1, im: 0 }], share: [], kept: [true] })).toThrow(
      'spectrum: eigenvalues, share and kept must have the same length; got 1, 0, 1',
    );
  });

  it('plots a monitor decision', async () => {
    const x = series(
      [
        { c: 0.5, lambda: 1 },
        { c: 1, lambda: 0.7 },
      ],
      30,
    );
    const sm = await drive(x, { patience: 100, minEpochs: 1000 });
    const svg = eigenvalueSvg(sm.decisions[29].spectrum!, { title: 'epoch 29' });
    expect([...svg.matchAll(/class="mode"/g)]).toHaveLength(2);
  });
});
