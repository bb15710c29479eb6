import * as tf from '@tensorflow/tfjs';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { eigenvalueSvg, spectrumMonitor, type SpectrumMonitor, type SpectrumMonitorArgs } from '../plugins/spectrum-monitor/index.js';
import { keyAliases, neverLoggedMessage } from '../plugins/spectrum-monitor/logs.js';
import { rng } from './helpers.js';

// Issue 14: spectrumMonitor as a drop-in for tf.callbacks.earlyStopping.

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** 2 inputs → 1 output, zero kernel and bias (three weights), plain SGD. */
function tinyModel(lr = 0.1, optimizer: 'sgd' | 'adam' = 'sgd'): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 1, inputShape: [2], useBias: true, kernelInitializer: 'zeros' }));
  model.compile({ loss: 'meanSquaredError', optimizer: optimizer === 'sgd' ? tf.train.sgd(lr) : tf.train.adam(lr) });
  return model;
}

/** Sets every kernel weight to v and the bias to −v. */
function setAll(model: tf.LayersModel, v: number): void {
  const ws = [tf.fill([2, 1], v), tf.fill([1], -v)];
  model.setWeights(ws);
  tf.dispose(ws);
}

const kernel0 = (model: tf.LayersModel) => model.getWeights()[0].dataSync()[0];

/**
 * An over-fitting run with a known best epoch: the model is trained towards y = X·w₁ from w = 0,
 * the validation targets are X·w₂ with w₂ = ½·w₁, so the validation loss falls while w nears w₂
 * and rises once it has passed it.
 */
function overfitData() {
  const X = [
    [1, 0],
    [0, 1],
    [1, 1],
    [1, -1],
  ];
  const w1 = [2, -1];
  const xs = tf.tensor2d(X);
  const ys = tf.tensor2d(X.map((r) => [r[0] * w1[0] + r[1] * w1[1] + 1]));
  const vys = tf.tensor2d(X.map((r) => [0.5 * (r[0] * w1[0] + r[1] * w1[1] + 1)]));
  return { xs, ys, vys, dispose: () => tf.dispose([xs, ys, vys]) };
}

describe('with default options it decides exactly as tf.callbacks.earlyStopping', () => {
  /** Drives both callbacks by hand with the same logs; returns the epochs at which each set stopTraining. */
  async function compare(values: (number | undefined)[], args: SpectrumMonitorArgs, key: string) {
    const es = tf.callbacks.earlyStopping({ monitor: key, ...args } as Parameters<typeof tf.callbacks.earlyStopping>[0]);
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
      if (m1.stopTraining) {
        expect(sm.stoppedEpoch).toBe(e);
        return e;
      }
    }
    expect(sm.stoppedEpoch).toBeNull();
    return null;
  }

  it('stops on the same epoch over patience (up to 25, past minEpochs), minDelta, mode and baseline, on over-fitting walks with NaN and missing epochs', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const r = rng(7);
    let checked = 0;
    let stops = 0;
    let lateStops = 0;
    for (const patience of [0, 2, 25]) {
      for (const minDelta of [0, 0.05]) {
        for (const [key, mode] of [
          ['val_loss', 'auto'],
          ['val_acc', 'auto'],
          ['loss', 'max'],
        ] as const) {
          for (const baseline of [undefined, 3]) {
            // an over-fitting curve (falls, then rises) quantised to 0.01 so that ties occur, with a NaN and a missing epoch
            const sign = key === 'val_acc' ? -1 : 1;
            const values: (number | undefined)[] = Array.from({ length: 70 }, (_, t) => {
              const v = 2 + sign * (1.5 * 0.9 ** t + 0.0015 * Math.max(0, t - 20) ** 2) + 0.05 * (r() - 0.5);
              return Math.round(v * 100) / 100;
            });
            values[30] = NaN;
            values[33] = undefined;
            const at = await compare(values, { patience, minDelta, mode, baseline }, key);
            if (at !== null) stops++;
            if (at !== null && at >= 20) lateStops++;
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(36);
    expect(stops).toBeGreaterThan(20);
    expect(lateStops).toBeGreaterThan(5); // stops after minEpochs (20), where the spectral rules used to act
  });

  it("the over-fitting run of the issue: patience 25 stops by patience (spectral 'both' restarts on the growing mode first, as before)", async () => {
    const val = Array.from({ length: 80 }, (_, t) => 0.9 + 1.5 * 0.85 ** t + 0.002 * Math.max(0, t - 12) ** 2);
    const best = val.indexOf(Math.min(...val));
    const run = async (args: SpectrumMonitorArgs) => {
      const sm = spectrumMonitor({ patience: 25, ...args });
      sm.setModel(tinyModel());
      await sm.onTrainBegin();
      for (let e = 0; e < val.length && sm.stoppedEpoch === null; e++) await sm.onEpochEnd(e, { val_loss: val[e] });
      return sm;
    };
    const plain = await run({});
    expect(plain.stoppedEpoch).toBe(best + 25);
    expect(plain.decisions[plain.decisions.length - 1].rule).toBe('patience');
    expect(plain.decisions.slice(0, -1).every((d) => d.action === 'continue')).toBe(true);
    expect(plain.decisions[22].reason).toMatch(/^val_loss = [\d.]+, no improvement for \d+ of 25 epochs; spectral rules off \(spectral: 'off'\)$/);
    // the spectra are still computed and reported
    expect(plain.decisions[40].spectrum).not.toBeNull();
    const spectral = await run({ spectral: 'both' });
    expect(spectral.stoppedEpoch).toBeLessThan(best + 25);
    expect(spectral.stoppedEpoch).toBeGreaterThanOrEqual(19);
    expect(spectral.decisions[spectral.decisions.length - 1].action).toBe('restart');
    expect(spectral.decisions[spectral.decisions.length - 1].rule).toBe('growth');
    // 'stop' alone never restarts
    const stopOnly = await run({ spectral: 'stop' });
    expect(stopOnly.shouldRestart).toBe(false);
  });

  it('a real over-fitting fit(): same epochs as earlyStopping(patience 25); restoreBestWeights leaves the best validation loss', async () => {
    const d = overfitData();
    const fit = async (cb: tf.Callback) => {
      const model = tinyModel(0.01);
      const h = await model.fit(d.xs, d.ys, { epochs: 120, batchSize: 4, shuffle: false, validationData: [d.xs, d.vys], callbacks: [cb], verbose: 0 });
      const after = tf.tidy(() => (model.evaluate(d.xs, d.vys) as tf.Scalar).dataSync()[0]);
      model.dispose();
      return { val: h.history.val_loss as number[], after };
    };
    const es = await fit(tf.callbacks.earlyStopping({ patience: 25 }));
    const sm = spectrumMonitor({ patience: 25, restoreBestWeights: true });
    const ours = await fit(sm);
    expect(ours.val).toEqual(es.val);
    const best = Math.min(...ours.val);
    const bestEpoch = ours.val.indexOf(best);
    expect(bestEpoch).toBeGreaterThan(5);
    expect(ours.val.length).toBe(bestEpoch + 26); // stopped by patience, before the 120-epoch budget
    expect(sm.bestEpoch).toBe(bestEpoch);
    expect(ours.after).toBeCloseTo(best, 6);
    expect(es.after).toBeGreaterThan(best * 1.5); // earlyStopping leaves the over-fitted weights
    expect(sm.stoppingReason).toMatch(new RegExp(`Restored the weights of epoch ${bestEpoch} \\(val_loss = `));
    d.dispose();
  });
});

describe('Keras and Lightning options', () => {
  async function drive(values: number[], args: SpectrumMonitorArgs, key = 'val_loss', model = tinyModel()): Promise<SpectrumMonitor> {
    const sm = spectrumMonitor({ monitor: key, ...args });
    sm.setModel(model);
    await sm.onTrainBegin();
    for (let e = 0; e < values.length && sm.stoppedEpoch === null; e++) {
      setAll(model, e + 1);
      await sm.onEpochEnd(e, { [key]: values[e] });
    }
    return sm;
  }
  const last = (sm: SpectrumMonitor) => sm.decisions[sm.decisions.length - 1];

  it('startFromEpoch (Keras): epochs before it are not monitored', async () => {
    const values = [10, 1, 5, 6, 7];
    const plain = await drive(values, { patience: 1 });
    expect(plain.stoppedEpoch).toBe(2);
    const warm = await drive(values, { patience: 1, startFromEpoch: 2 });
    expect(warm.stoppedEpoch).toBe(3); // best is 5 at epoch 2: the 1 of the warm-up was never seen
    expect(warm.bestEpoch).toBe(2);
    expect(warm.decisions[1].rule).toBe('warm-up');
    expect(warm.decisions[1].reason).toBe('epoch 1 is before startFromEpoch = 2: warm-up, val_loss = 1 not monitored');
  });

  it('checkFinite (Lightning): a NaN stops at once; without it a NaN is an epoch without improvement, as in tfjs', async () => {
    const values = [1, 0.9, NaN, 0.5, 0.4];
    const check = await drive(values, { patience: 5, checkFinite: true });
    expect(check.stoppedEpoch).toBe(2);
    expect(last(check).rule).toBe('non-finite');
    expect(last(check).action).toBe('stop');
    expect(last(check).reason).toBe('val_loss is NaN at epoch 2: training diverged (checkFinite)');
    const plain = await drive(values, { patience: 5 });
    expect(plain.stoppedEpoch).toBeNull();
    expect(plain.decisions[2].reason).toBe("val_loss = NaN, no improvement for 1 of 5 epochs; spectral rules off (spectral: 'off')");
    expect(plain.decisions[3].action).toBe('continue');
    expect(plain.best).toBe(0.4);
  });

  it('stoppingThreshold and divergenceThreshold (Lightning): strictly better / worse than the threshold', async () => {
    const down = await drive([1, 0.5, 0.3, 0.2, 0.1], { patience: 10, stoppingThreshold: 0.3 });
    expect(down.stoppedEpoch).toBe(3); // 0.3 is not below 0.3
    expect(last(down).rule).toBe('stopping-threshold');
    expect(last(down).reason).toBe('val_loss = 0.2 is below stoppingThreshold = 0.3: good enough, stop');
    const up = await drive([1, 2, 5, 6, 7], { patience: 10, divergenceThreshold: 5 });
    expect(up.stoppedEpoch).toBe(3);
    expect(last(up).reason).toBe('val_loss = 6 is above divergenceThreshold = 5: training diverged, stop');
    const acc = await drive([0.5, 0.7, 0.95, 0.99], { patience: 10, stoppingThreshold: 0.9 }, 'val_acc');
    expect(acc.stoppedEpoch).toBe(2);
    expect(last(acc).reason).toBe('val_acc = 0.95 is above stoppingThreshold = 0.9: good enough, stop');
    const accDown = await drive([0.5, 0.3, 0.1], { patience: 10, divergenceThreshold: 0.2 }, 'val_acc');
    expect(accDown.stoppedEpoch).toBe(2);
  });

  it('strict (Lightning): a missing monitor is an error instead of one warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const sm = spectrumMonitor({ strict: true });
    sm.setModel(tinyModel());
    await sm.onTrainBegin();
    await expect(sm.onEpochEnd(0, { loss: 1 })).rejects.toThrow('spectrumMonitor: val_loss is not in the logs of epoch 0; available: loss (strict: true)');
    const lax = spectrumMonitor();
    lax.setModel(tinyModel());
    await lax.onTrainBegin();
    await lax.onEpochEnd(0, { loss: 1 });
    await lax.onEpochEnd(1, { loss: 1 });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toBe('spectrumMonitor: val_loss is not in the logs of epoch 0; available: loss');
  });

  it('validates the new options by name', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ startFromEpoch: -1 }, 'startFromEpoch must be an integer ≥ 0; got -1'],
      [{ checkFinite: 'yes' }, "checkFinite must be true or false; got 'yes'"],
      [{ stoppingThreshold: NaN }, 'stoppingThreshold must be a finite number or null; got NaN'],
      [{ divergenceThreshold: '5' }, "divergenceThreshold must be a finite number or null; got '5'"],
      [{ strict: 1 }, 'strict must be true or false; got 1'],
      [{ spectral: true }, "spectral must be one of 'off', 'stop', 'restart', 'both'; got true"],
    ];
    for (const [args, message] of cases) expect(() => spectrumMonitor(args as SpectrumMonitorArgs)).toThrow(message);
  });
});

describe('restoreBestWeights whatever ended training', () => {
  /** Epoch e ends with every kernel weight e + 1; returns the kernel weight left after onTrainEnd. */
  async function ending(values: number[], args: SpectrumMonitorArgs) {
    const model = tinyModel();
    const sm = spectrumMonitor({ restoreBestWeights: true, ...args });
    sm.setModel(model);
    await sm.onTrainBegin();
    const start = tf.memory().numTensors;
    for (let e = 0; e < values.length && !model.stopTraining; e++) {
      setAll(model, e + 1);
      await sm.onEpochEnd(e, { val_loss: values[e] });
    }
    await sm.onTrainEnd();
    expect(tf.memory().numTensors).toBe(start);
    return { sm, w: kernel0(model) };
  }

  it('patience, a threshold, a restart, a spectral stop and the epoch budget running out', async () => {
    const patience = await ending([10, 5, 6, 7], { patience: 2 });
    expect(patience.w).toBe(2);
    const divergence = await ending([10, 5, 6, 70], { patience: 10, divergenceThreshold: 50 });
    expect(divergence.w).toBe(2);
    expect(divergence.sm.stoppingReason).toBe(
      'val_loss = 70 is above divergenceThreshold = 50: training diverged, stop. Restored the weights of epoch 1 (val_loss = 5).',
    );
    const restart = await ending([10, 5, 6, NaN], { patience: 10, spectral: 'restart' });
    expect(restart.sm.shouldRestart).toBe(true);
    expect(restart.w).toBe(2);
    expect(restart.sm.stoppingReason).toMatch(/shouldRestart is now true: re-initialise the model and train again\. Restored the weights of epoch 1 \(val_loss = 5\)\.$/);
    // a loss converging to a fixed point, 0.5 + 0.7ᵗ, with a slight rise at the end: the spectral stop
    const fixed = Array.from({ length: 60 }, (_, t) => 0.5 + 0.7 ** t);
    const spectralStop = await ending(fixed, { patience: 100, spectral: 'stop' });
    expect(spectralStop.sm.decisions[spectralStop.sm.decisions.length - 1].rule).toBe('fixed-point');
    expect(spectralStop.sm.bestEpoch).toBe(spectralStop.sm.stoppedEpoch); // still improving: nothing to restore
    expect(spectralStop.sm.stoppingReason).toMatch(/The current weights are the best ones; nothing to restore\.$/);
    const budget = await ending([10, 5, 6, 7], { patience: 10 });
    expect(budget.sm.stoppedEpoch).toBeNull();
    expect(budget.w).toBe(2);
    expect(budget.sm.stoppingReason).toBe(
      "training ended after epoch 3 without a stop (fit()'s epochs ran out). Restored the weights of epoch 1 (val_loss = 5); a further fit() of this run resumes from the weights of epoch 3.",
    );
  });

  it('a real fit() whose epoch budget runs out before patience ends with the best weights', async () => {
    const d = overfitData();
    const model = tinyModel(0.05);
    const sm = spectrumMonitor({ patience: 100, restoreBestWeights: true });
    const h = await model.fit(d.xs, d.ys, { epochs: 40, batchSize: 4, shuffle: false, validationData: [d.xs, d.vys], callbacks: [sm], verbose: 0 });
    const val = h.history.val_loss as number[];
    expect(val).toHaveLength(40);
    const best = Math.min(...val);
    expect(val.indexOf(best)).toBeLessThan(30);
    const after = tf.tidy(() => (model.evaluate(d.xs, d.vys) as tf.Scalar).dataSync()[0]);
    expect(after).toBeCloseTo(best, 6);
    model.dispose();
    d.dispose();
  });
});

describe('key aliases and keys fit() will never log', () => {
  it('acc / accuracy and val_acc / val_accuracy name the same key', () => {
    expect(keyAliases('val_accuracy')).toEqual(['val_accuracy', 'val_acc']);
    expect(keyAliases('acc')).toEqual(['acc', 'accuracy']);
    expect(keyAliases('val_loss')).toEqual(['val_loss']);
    expect(keyAliases('val_acc_top5')).toEqual(['val_acc_top5']);
  });

  it("monitor 'val_accuracy' with metrics: ['accuracy'] (tfjs logs val_acc) reads val_acc and stops", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 2, inputShape: [2], activation: 'softmax', kernelInitializer: 'zeros' }));
    model.compile({ loss: 'categoricalCrossentropy', optimizer: tf.train.sgd(0), metrics: ['accuracy'] }); // lr 0: accuracy never improves
    const xs = tf.tensor2d([1, 0, 0, 1, 1, 1, 0, 0], [4, 2]);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
    const sm = spectrumMonitor({ monitor: 'val_accuracy', patience: 2 });
    const h = await model.fit(xs, ys, { epochs: 20, validationData: [xs, ys], callbacks: [sm], verbose: 0 });
    expect(warn).not.toHaveBeenCalled();
    expect(h.epoch).toHaveLength(3);
    expect(sm.decisions.map((d) => d.value)).toEqual(h.history.val_acc);
    expect(sm.decisions[2].reason).toMatch(/^val_accuracy did not improve on its best 0\.5 \(epoch 0\)/);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('a key fit() will not log is reported at train begin; strict makes a missing key an error at its epoch', async () => {
    expect(neverLoggedMessage('val_loss', ['loss', 'acc'])).toBe(
      "spectrumMonitor: monitor 'val_loss' is not among the keys this fit() logs (loss, acc): val_ keys are logged only with validationData or validationSplit in fit(); unless another callback adds it to the epoch logs, the monitor will never decide",
    );
    expect(neverLoggedMessage('val_acc', ['loss', 'val_loss'])).toBe(
      "spectrumMonitor: monitor 'val_acc' is not among the keys this fit() logs (loss, val_loss): compile the model with metrics: ['accuracy'] to log acc and val_acc; unless another callback adds it to the epoch logs, the monitor will never decide",
    );
    expect(neverLoggedMessage('val_accuracy', ['loss', 'acc', 'val_loss', 'val_acc'])).toBeNull();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const xs = tf.ones([4, 2]);
    const ys = tf.ones([4, 1]);
    const model = tinyModel();
    await model.fit(xs, ys, { epochs: 3, callbacks: [spectrumMonitor({ patience: 5 })], verbose: 0 });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toBe(
      "spectrumMonitor: monitor 'val_loss' is not among the keys this fit() logs (loss): val_ keys are logged only with validationData or validationSplit in fit(); unless another callback adds it to the epoch logs, the monitor will never decide",
    );
    // strict: the first epoch without the key is an error
    await expect(model.fit(xs, ys, { epochs: 3, callbacks: [spectrumMonitor({ strict: true })], verbose: 0 })).rejects.toThrow(
      'spectrumMonitor: val_loss is not in the logs of epoch 0; available: loss (strict: true)',
    );
    // a callback before the monitor may add the key: then it decides (and strict does not throw)
    const inject = new (class extends tf.Callback {
      override async onEpochEnd(_e: number, l?: tf.Logs) {
        l!.val_loss = 1;
      }
    })();
    const added = spectrumMonitor({ strict: true, patience: 1 });
    const h = await model.fit(xs, ys, { epochs: 5, callbacks: [inject, added], verbose: 0 });
    expect(h.epoch).toHaveLength(2);
    expect(added.decisions.map((d) => d.value)).toEqual([1, 1]);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

describe('state: stateDict / loadStateDict', () => {
  const values = [10, 8, 9, 7, 7.5, 6.9, 7.1, 7.3, 7.4, 7.6, 7.7];

  it('a run saved as JSON after 5 epochs and resumed decides as the uninterrupted run, best weights included', async () => {
    const args: SpectrumMonitorArgs = { patience: 3, restoreBestWeights: true, windowSize: 4, delays: 2, spectral: 'both', minEpochs: 100 };
    const whole = spectrumMonitor(args);
    const m1 = tinyModel();
    whole.setModel(m1);
    await whole.onTrainBegin();
    for (let e = 0; e < values.length && whole.stoppedEpoch === null; e++) {
      setAll(m1, e + 1);
      await whole.onEpochEnd(e, { val_loss: values[e] });
    }
    const first = spectrumMonitor(args);
    const m2 = tinyModel();
    first.setModel(m2);
    await first.onTrainBegin();
    for (let e = 0; e < 5; e++) {
      setAll(m2, e + 1);
      await first.onEpochEnd(e, { val_loss: values[e] });
    }
    const saved = JSON.parse(JSON.stringify(first.stateDict()));
    expect(saved.patience).toEqual({ best: 7, bestEpoch: 3, wait: 1 });
    expect(saved.values).toEqual([8, 9, 7, 7.5]);
    expect(saved.bestWeights.values).toEqual([[4, 4], [-4]]);
    expect(saved.decisions[0]).toEqual({ epoch: 0, action: 'continue', rule: 'watching', reason: whole.decisions[0].reason, value: 10 });
    // a new process: a new monitor and a new model
    const resumed = spectrumMonitor(args).loadStateDict(saved);
    const m3 = tinyModel();
    resumed.setModel(m3);
    await resumed.onTrainBegin();
    for (let e = 5; e < values.length && resumed.stoppedEpoch === null; e++) {
      setAll(m3, e + 1);
      await resumed.onEpochEnd(e - 5, { val_loss: values[e] }); // fit() counts from 0 again
    }
    const strip = (sm: SpectrumMonitor) => sm.decisions.map((d) => ({ epoch: d.epoch, action: d.action, rule: d.rule, reason: d.reason, value: d.value }));
    expect(strip(resumed)).toEqual(strip(whole));
    expect(resumed.stoppedEpoch).toBe(whole.stoppedEpoch);
    expect(resumed.stoppedEpoch).toBe(8); // best 6.9 at epoch 5, then three epochs without improvement
    expect(kernel0(m3)).toBe(kernel0(m1));
    expect(kernel0(m3)).toBe(6); // epoch 5's weights
  });

  it('keeps Infinity and NaN through JSON, omits the weights on request, and refuses a foreign state', async () => {
    const sm = spectrumMonitor({ patience: 5, restoreBestWeights: true });
    const model = tinyModel();
    sm.setModel(model);
    await sm.onTrainBegin();
    expect(sm.stateDict().patience.best).toBe('Infinity');
    setAll(model, 1);
    await sm.onEpochEnd(0, { val_loss: NaN });
    setAll(model, 2);
    await sm.onEpochEnd(1, { val_loss: 3 });
    const light = JSON.parse(JSON.stringify(sm.stateDict({ weights: false })));
    expect(light.decisions[0].value).toBe('NaN');
    expect(light.bestWeights).toBeNull();
    expect(light.bestWeightsOmitted).toBe(true);
    const again = spectrumMonitor({ patience: 5, restoreBestWeights: true }).loadStateDict(light);
    expect(again.decisions[0].value).toBeNaN();
    const m2 = tinyModel();
    again.setModel(m2);
    await again.onTrainBegin();
    setAll(m2, 3);
    await again.onEpochEnd(0, { val_loss: 4 });
    await again.onTrainEnd();
    expect(again.stoppingReason).toBe(
      "training ended after epoch 2 without a stop (fit()'s epochs ran out). The best weights (epoch 1) were left out of the loaded state: weights left as they are.",
    );
    expect(kernel0(m2)).toBe(3);
    expect(() => spectrumMonitor({ monitor: 'loss' }).loadStateDict(light)).toThrow("loadStateDict: the state monitors 'val_loss' but this monitor watches 'loss'");
    expect(() => spectrumMonitor().loadStateDict({ ...light, format: 'x' })).toThrow("loadStateDict: state.format must be 'tfjs-koopman/spectrum-monitor@1'; got \"x\"");
  });
});

describe('continuation across fit() calls', () => {
  /** One fit of `epochs`, or `epochs` fits of one epoch (optionally with initialEpoch), from the same start. */
  async function train(way: 'one' | 'loop' | 'initialEpoch', args: SpectrumMonitorArgs, epochs: number) {
    const d = overfitData();
    const model = tinyModel(0.05);
    const sm = spectrumMonitor(args);
    const cfg = { batchSize: 4, shuffle: false, validationData: [d.xs, d.vys] as [tf.Tensor, tf.Tensor], callbacks: [sm], verbose: 0 as const };
    const val: number[] = [];
    if (way === 'one') {
      const h = await model.fit(d.xs, d.ys, { ...cfg, epochs });
      val.push(...(h.history.val_loss as number[]));
    } else {
      for (let i = 0; i < epochs; i++) {
        const h = await model.fit(d.xs, d.ys, way === 'loop' ? { ...cfg, epochs: 1 } : { ...cfg, epochs: i + 1, initialEpoch: i });
        val.push(...(h.history.val_loss as number[]));
        if (sm.stoppedEpoch !== null) break;
      }
    }
    const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
    model.dispose();
    d.dispose();
    const decisions = sm.decisions.map((x) => ({ epoch: x.epoch, action: x.action, rule: x.rule, value: x.value }));
    return { sm, val, weights, decisions };
  }

  it('N fits of one epoch (and the initialEpoch loop) decide, stop and restore as one fit of N epochs', async () => {
    for (const args of [
      { patience: 5, restoreBestWeights: true },
      { patience: 100, restoreBestWeights: true }, // the budget runs out: each call restores the best, the next resumes
    ] as SpectrumMonitorArgs[]) {
      const one = await train('one', args, 40);
      for (const way of ['loop', 'initialEpoch'] as const) {
        const many = await train(way, args, 40);
        expect(many.decisions, `${way} ${JSON.stringify(args)}`).toEqual(one.decisions);
        expect(many.val).toEqual(one.val);
        expect(many.weights).toEqual(one.weights);
        expect(many.sm.stoppedEpoch).toBe(one.sm.stoppedEpoch);
        expect(many.sm.bestEpoch).toBe(one.sm.bestEpoch);
      }
      if (args.patience === 5) expect(one.sm.stoppedEpoch).toBe(one.sm.bestEpoch! + 5);
      else expect(one.sm.stoppedEpoch).toBeNull();
    }
  });

  it('fitDataset() called once per epoch continues the run too', async () => {
    const model = tinyModel(0);
    const data = tf.data.zip({ xs: tf.data.array([[1, 1], [1, 1]]), ys: tf.data.array([[1], [1]]) }).batch(2);
    const sm = spectrumMonitor({ monitor: 'loss', patience: 2 });
    let calls = 0;
    while (sm.stoppedEpoch === null && calls < 10) {
      await model.fitDataset(data, { epochs: 1, callbacks: [sm], verbose: 0 });
      calls++;
    }
    expect(calls).toBe(3); // lr 0: the loss never improves after epoch 0, patience 2
    expect(sm.decisions.map((d) => d.epoch)).toEqual([0, 1, 2]);
    expect(sm.stoppingReason).toBe('loss did not improve on its best 1 (epoch 0) by more than minDelta = 0 for 2 epochs (patience 2)');
    model.dispose();
  });

  it('reset() starts over, another model starts over, a fit after a stop starts over', async () => {
    const xs = tf.ones([4, 2]);
    const ys = tf.ones([4, 1]);
    const a = tinyModel(0);
    const sm = spectrumMonitor({ monitor: 'loss', patience: 10 });
    await a.fit(xs, ys, { epochs: 2, callbacks: [sm], verbose: 0 });
    await a.fit(xs, ys, { epochs: 2, callbacks: [sm], verbose: 0 });
    expect(sm.decisions.map((d) => d.epoch)).toEqual([0, 1, 2, 3]);
    expect(sm.wait).toBe(3);
    sm.reset();
    await a.fit(xs, ys, { epochs: 1, callbacks: [sm], verbose: 0 });
    expect(sm.decisions.map((d) => d.epoch)).toEqual([0]);
    const b = tinyModel(0);
    await b.fit(xs, ys, { epochs: 1, callbacks: [sm], verbose: 0 });
    expect(sm.decisions.map((d) => d.epoch)).toEqual([0]);
    const stopper = spectrumMonitor({ monitor: 'loss', patience: 1 });
    await a.fit(xs, ys, { epochs: 5, callbacks: [stopper], verbose: 0 });
    expect(stopper.stoppedEpoch).toBe(1);
    await a.fit(xs, ys, { epochs: 1, callbacks: [stopper], verbose: 0 });
    expect(stopper.stoppedEpoch).toBeNull();
    expect(stopper.decisions.map((d) => d.epoch)).toEqual([0]);
    tf.dispose([xs, ys]);
    [a, b].forEach((m) => m.dispose());
  });
});

describe('no leaks on any public path (tensor count against the same training without the monitor)', () => {
  /** Tensors left by a training, model and data disposed; `adam` creates its slot variables lazily in both runs. */
  async function grown(train: (model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor) => Promise<void>, lr = 0.05) {
    const xs = tf.tensor2d([1, 0, 0, 1, 1, 1, 1, -1], [4, 2]);
    const ys = tf.tensor2d([2, -1, 1, 3], [4, 1]);
    const before = tf.memory().numTensors;
    const model = tinyModel(lr, lr > 1 ? 'sgd' : 'adam');
    await train(model, xs, ys);
    const left = tf.memory().numTensors - before;
    model.dispose();
    tf.dispose([xs, ys]);
    return left;
  }

  type Train = (m: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, cb: tf.Callback[]) => Promise<void>;
  const opts = { verbose: 0 as const, batchSize: 2, shuffle: false };
  const paths: Record<string, [Train, SpectrumMonitorArgs, number?]> = {
    fit: [async (m, x, y, cb) => void (await m.fit(x, y, { ...opts, epochs: 30, validationData: [x, y], callbacks: cb })), { patience: 100, observables: ['loss', 'weights'] }],
    'repeated fit': [
      async (m, x, y, cb) => {
        for (let i = 0; i < 6; i++) await m.fit(x, y, { ...opts, epochs: 1, validationData: [x, y], callbacks: cb });
      },
      { patience: 100, restoreBestWeights: true },
    ],
    fitDataset: [
      async (m, _x, _y, cb) => {
        const data = tf.data.zip({ xs: tf.data.array([[1, 0], [0, 1], [1, 1], [1, -1]]), ys: tf.data.array([[2], [-1], [1], [3]]) }).batch(2);
        for (let i = 0; i < 3; i++) await m.fitDataset(data, { epochs: 2, callbacks: cb, verbose: 0 });
      },
      { monitor: 'loss', patience: 100, restoreBestWeights: true },
    ],
    restore: [async (m, x, y, cb) => void (await m.fit(x, y, { ...opts, epochs: 30, validationData: [x, y], callbacks: cb })), { patience: 2, restoreBestWeights: true, minDelta: 0.05 }],
    restart: [
      async (m, x, y, cb) => void (await m.fit(x, y, { ...opts, epochs: 30, validationData: [x, y], callbacks: cb })),
      { patience: 100, spectral: 'restart', restoreBestWeights: true },
      10, // SGD at lr 10 diverges to Infinity, then NaN
    ],
    'custom loop': [
      async (m, x, y, cb) => {
        const sm = cb[0] as SpectrumMonitor | undefined;
        sm?.attach(m);
        const opt = tf.train.adam(0.05);
        for (let e = 0; e < 25; e++) {
          const loss = opt.minimize(() => tf.losses.meanSquaredError(y, m.predict(x) as tf.Tensor) as tf.Scalar, true)!;
          const v = loss.dataSync()[0];
          loss.dispose();
          if (sm && (await sm.afterEpoch({ valLoss: v })).action !== 'continue') break;
        }
        opt.dispose();
      },
      { patience: 100, restoreBestWeights: true, observables: ['weights'], spectral: 'both', minEpochs: 5 },
    ],
  };
  it.each(Object.keys(paths))('%s leaves as many tensors as the same training without the monitor', async (name) => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const [train, args, lr] = paths[name];
    const without = await grown((m, x, y) => train(m, x, y, []), lr);
    let sm: SpectrumMonitor | null = null;
    const withIt = await grown((m, x, y) => train(m, x, y, [(sm = spectrumMonitor(args))]), lr);
    expect(withIt).toBe(without);
    expect(sm!.decisions.length).toBeGreaterThan(0);
    if (name === 'restore' || name === 'restart') expect(sm!.stoppedEpoch).not.toBeNull();
    if (name === 'restart') expect(sm!.shouldRestart).toBe(true);
  });
});

describe('two copies of tfjs (an npm file: link)', () => {
  let dir = '';
  let layers2: typeof tf;
  beforeAll(() => {
    // a second tfjs-layers beside this one (sharing tfjs-core), as a linked install resolves it
    const real = realpathSync(join(__dirname, '..', 'node_modules', '@tensorflow'));
    dir = mkdtempSync(join(tmpdir(), 'spectrum-monitor-copies-'));
    mkdirSync(join(dir, 'node_modules', '@tensorflow', 'tfjs-layers', 'dist'), { recursive: true });
    copyFileSync(join(real, 'tfjs-layers', 'package.json'), join(dir, 'node_modules', '@tensorflow', 'tfjs-layers', 'package.json'));
    copyFileSync(join(real, 'tfjs-layers', 'dist', 'tf-layers.node.js'), join(dir, 'node_modules', '@tensorflow', 'tfjs-layers', 'dist', 'tf-layers.node.js'));
    symlinkSync(join(real, 'tfjs-core'), join(dir, 'node_modules', '@tensorflow', 'tfjs-core'));
    layers2 = createRequire(join(dir, 'index.js'))('@tensorflow/tfjs-layers');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let n = 0;
  function foreignModel(lr: number): tf.LayersModel {
    const m = layers2.sequential();
    // the two copies number their layers alike and share the variable registry: name them apart
    m.add(layers2.layers.dense({ name: `foreign_dense_${++n}`, units: 1, inputShape: [2], kernelInitializer: 'zeros' }));
    m.compile({ loss: 'meanSquaredError', optimizer: tf.train.sgd(lr) });
    return m;
  }

  it('is detected and explained; attached, the monitor still stops the foreign model; restoreBestWeights is refused', async () => {
    const xs = tf.ones([4, 2]);
    const ys = tf.ones([4, 1]);
    const m = foreignModel(0);
    expect(m instanceof tf.LayersModel).toBe(false);
    // what fails without the detection: tfjs's own callback in the other copy's fit()
    await expect(m.fit(xs, ys, { epochs: 3, callbacks: [tf.callbacks.earlyStopping({ monitor: 'loss' })], verbose: 0 })).rejects.toThrow(
      'this.getMonitorValue is not a function',
    );
    const sm = spectrumMonitor({ monitor: 'loss', patience: 2 });
    await expect(m.fit(xs, ys, { epochs: 10, callbacks: [sm], verbose: 0 })).rejects.toThrow(
      /^spectrumMonitor: model\.fit\(\) called the monitor through the other copy's CustomCallback, which does not pass the model: the model comes from a different copy of @tensorflow\/tfjs than the one tfjs-koopman loaded\./,
    );
    const fails = await m.fit(xs, ys, { epochs: 1, callbacks: [sm], verbose: 0 }).catch((e: Error) => e.message);
    expect(fails).toContain('npm install --install-links');
    expect(fails).toContain('npm ls @tensorflow/tfjs');
    expect(fails).toContain('sm.attach(model) before fit()');
    // attached, it warns once and stops the foreign model on the epoch earlyStopping would
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    sm.attach(m);
    const h = await m.fit(xs, ys, { epochs: 10, callbacks: [sm], verbose: 0 });
    expect(h.epoch).toHaveLength(3);
    expect(sm.stoppedEpoch).toBe(2);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/^spectrumMonitor: attach\(model\): the model comes from a different copy of @tensorflow\/tfjs than the one tfjs-koopman loaded\..*--install-links/s);
    expect(() => spectrumMonitor({ restoreBestWeights: true }).attach(m)).toThrow(
      /^spectrumMonitor: attach\(model\): the model comes from a different copy.*restoreBestWeights cannot write weights across the two copies\.$/s,
    );
    expect(() => spectrumMonitor().attach({} as tf.LayersModel)).toThrow('spectrumMonitor: attach(model) needs a tf.LayersModel; got object');
    tf.dispose([xs, ys]);
    m.dispose();
  });
});

describe('eigenvalueSvg on an early decision', () => {
  it('says the decision has no spectrum yet instead of failing to destructure', async () => {
    const sm = spectrumMonitor().attach();
    const d = await sm.afterEpoch({ valLoss: 1 });
    expect(d.spectrum).toBeNull();
    expect(() => eigenvalueSvg(d.spectrum!)).toThrow(
      'eigenvalueSvg needs a spectrum with eigenvalues; got null. A decision has no spectrum until the window holds enough epochs',
    );
  });
});

describe('a resumed run continues from the latest weights, not the restored best ones', () => {
  it('stateDict carries the resume weights: save after a fit() that restored the best, load in a new monitor and model', async () => {
    const d = overfitData();
    const opts = { monitor: 'val_loss', patience: 100, restoreBestWeights: true } as const;
    const fit = (m: tf.LayersModel, sm: SpectrumMonitor, epochs: number, initialEpoch = 0) =>
      m.fit(d.xs, d.ys, { epochs, initialEpoch, batchSize: 4, shuffle: false, verbose: 0, validationData: [d.xs, d.vys], callbacks: [sm] });
    // uninterrupted: 30 epochs in two fit() calls of one run (past the best epoch, so the first call ends restoring it)
    const a = tinyModel();
    const smA = spectrumMonitor(opts);
    await fit(a, smA, 15);
    const hA = await fit(a, smA, 30, 15);
    // resumed: the same first call, state saved, a new model holding the weights the first call left, a new monitor
    const b = tinyModel();
    const smB = spectrumMonitor(opts);
    await fit(b, smB, 15);
    const saved = JSON.parse(JSON.stringify(smB.stateDict()));
    expect(saved.resumeWeights).not.toBeNull();
    const c = tinyModel();
    c.setWeights(b.getWeights());
    const smC = spectrumMonitor(opts).loadStateDict(saved);
    const hC = await fit(c, smC, 30, 15);
    expect(hC.history.val_loss).toEqual(hA.history.val_loss);
    expect(Array.from(c.getWeights()[0].dataSync())).toEqual(Array.from(a.getWeights()[0].dataSync()));
    d.dispose();
  });
});
