import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { spectrumMonitor } from '../plugins/spectrum-monitor/index.js';
import { loadEmbeddedMnist } from '../experiments/shared/data/index.js';
import { readWeights } from '../src/tfjs/index.js';
import { spectrumCommand } from '../experiments/spectrum/cli.js';
import { prepareStudyTensors } from '../experiments/spectrum/data.js';
import { buildCnn } from '../experiments/shared/cnn.js';
import { buildStudyModel } from '../experiments/spectrum/model.js';
import { recordRun } from '../experiments/spectrum/record.js';
import { replayEarlyStopping, replaySpectrumMonitor, type ReplayLogs } from '../experiments/spectrum/replay.js';
import { flagModel } from '../experiments/spectrum/methods.js';
import { SUMMARY_COLUMNS, restartStats, stopOracle, type RunResult } from '../experiments/spectrum/measures.js';
import { COMPARISON_SUMMARY_COLUMNS } from '../experiments/spectrum/comparison-report.js';
import { comparedMethods } from '../experiments/spectrum/comparison.js';
import { settingsFromArgs } from '../experiments/spectrum/cli.js';

const QUICK_STUDY = settingsFromArgs({ init: 'all', bad: true, optimizer: 'adam', quick: true, out: 'unused', backend: 'wasm' });

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A validation-loss curve that falls, wobbles and rises (over-fitting), with a plateau. */
function constructedLog(epochs: number): ReplayLogs[] {
  return Array.from({ length: epochs }, (_, e) => {
    const val = 0.3 + 2 * Math.exp(-e / 3) + 0.002 * Math.max(0, e - 12) ** 1.5 + 0.01 * Math.sin(1.7 * e);
    return { loss: 0.2 + 2 * Math.exp(-e / 3), val_loss: val, train_loss: 0.2 + 2 * Math.exp(-e / 3) };
  });
}

/** fit() on a tiny model, with `logs` written into every epoch's logs before `callback` sees them; returns the epochs fit() ran. */
async function fitWithLogs(logs: ReplayLogs[], callback: tf.Callback): Promise<number> {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const x = tf.ones([4, 2]);
  const y = tf.zeros([4, 1]);
  const inject = new (class extends tf.Callback {
    override async onEpochEnd(epoch: number, l?: tf.Logs) {
      Object.assign(l!, logs[epoch]);
    }
  })();
  try {
    const h = await model.fit(x, y, { epochs: logs.length, batchSize: 4, verbose: 0, callbacks: [inject, callback] });
    return h.epoch.length;
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
}

describe('replay of recorded logs', () => {
  it('earlyStopping driven by hand stops where tfjs stops fit() on the same logs', async () => {
    await tf.setBackend('cpu');
    const logs = constructedLog(40);
    const flag = flagModel();
    for (const patience of [0, 1, 3, 10]) {
      for (const monitor of ['val_loss', 'train_loss']) {
        const ran = await fitWithLogs(logs, tf.callbacks.earlyStopping({ monitor, patience }));
        const replay = await replayEarlyStopping(logs, { monitor, patience }, flag);
        expect(replay.epochsUsed, `${monitor} patience ${patience}`).toBe(ran);
        if (ran < logs.length) expect(replay.stopEpoch).toBe(ran - 1);
        else expect(replay.stopEpoch).toBeNull();
      }
    }
    // a log that never stops improving runs the whole budget
    const falling = Array.from({ length: 15 }, (_, e) => ({ val_loss: 1 / (e + 1) }));
    expect(await replayEarlyStopping(falling, { patience: 3 }, flag)).toMatchObject({ epochsUsed: 15, stopEpoch: null, action: 'none' });
    flag.dispose();
  });

  it('the spectrum monitor replayed with afterEpoch decides as it does inside fit()', async () => {
    await tf.setBackend('cpu');
    const logs = constructedLog(60);
    const args = { monitor: 'val_loss', patience: 10, minEpochs: 10, windowSize: 20, delays: 5, target: 1.0 };
    const sm = spectrumMonitor(args);
    const ran = await fitWithLogs(logs, sm);
    const log = { points: [{ trainLoss: 0, valLoss: 0, testLoss: 0, testAcc: 0 }, ...logs.map((l) => ({ trainLoss: l.train_loss, valLoss: l.val_loss, testLoss: 0, testAcc: 0 }))], fitLoss: logs.map((l) => l.loss), weights: null };
    const replay = await replaySpectrumMonitor(log, args, null);
    expect(replay.epochsUsed).toBe(ran);
    expect(replay.decisions.map((d) => d.action)).toEqual(sm.decisions.map((d) => d.action));
    expect(replay.rule).toBe(sm.decisions[sm.decisions.length - 1].rule);
  });

  it('restart recall and false-restart rate count only restarts before the cutoff', () => {
    const run = (bad: boolean, action: 'stop' | 'restart' | 'none', stopEpoch: number | null) =>
      ({ bad, outcomes: { spectrum: { action, stopEpoch, epochsUsed: (stopEpoch ?? 99) + 1, rule: '', reason: '' } } }) as unknown as RunResult;
    const results = [run(true, 'restart', 5), run(true, 'restart', 25), run(true, 'none', null), run(false, 'restart', 3), run(false, 'stop', 4), run(false, 'none', null)];
    const r = restartStats(results, 100, 0.2);
    expect(r).toMatchObject({ positives: 3, caught: 1, negatives: 3, falseRestarts: 1, cutoff: 20 });
    expect(r.recall).toBeCloseTo(1 / 3, 12);
    expect(r.falseRate).toBeCloseTo(1 / 3, 12);
  });

  it('the stop-goal bound reads the test loss at 70% of earlyStopping(10)\'s epochs and the earliest epoch within 1%', () => {
    // test loss 1/(1 + t): at E10 = 20 it is 1/21; 1% above it first at t with 1/(1+t) ≤ 1.01/21 → t ≥ 19.79 → 20
    const run = (e10: number, loss: (t: number) => number) =>
      ({ points: Array.from({ length: 41 }, (_, t) => ({ testLoss: loss(t) })), outcomes: { 'early-stopping-10': { epochsUsed: e10 } } }) as unknown as RunResult;
    const slow = run(20, (t) => 1 / (1 + t));
    // flat from epoch 10 on: within 1% from epoch 10, half of E10
    const flat = run(20, (t) => (t < 10 ? 2 - t / 10 : 1));
    const o1 = stopOracle([slow]);
    expect(o1.lossAt70).toBeCloseTo(21 / 15, 12);
    expect(o1.earliestRatio).toBe(1);
    expect(o1.reachable).toBe(0);
    const o2 = stopOracle([flat]);
    expect(o2.lossAt70).toBe(1);
    expect(o2.earliestRatio).toBe(0.5);
    expect(o2.reachable).toBe(1);
  });
});

describe('networks', () => {
  it("seed 003's CNN builds and trains one epoch on the cpu backend", async () => {
    await tf.setBackend('cpu');
    const cnn = buildCnn();
    expect(cnn.layers.map((l) => l.getClassName())).toEqual(['Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']);
    expect(cnn.outputs[0].shape).toEqual([null, 10]);
    expect(cnn.countParams()).toBe(16 * 25 + 16 + 32 * 16 * 25 + 32 + 512 * 100 + 100 + 1010);
    cnn.dispose();
    const ds = loadEmbeddedMnist({ seed: 0, trainSize: 160, testSize: 32 });
    const t = prepareStudyTensors(ds, { epochSize: 64, trainEvalSize: 32, valSize: 32, testSize: 32 }, 'cnn');
    try {
      expect(t.pool.x.shape).toEqual([128, 28, 28, 1]);
      const log = await recordRun(t, { model: 'cnn', init: 'he', seed: 3 }, { epochs: 1, batchSize: 32, learningRate: 1e-3, optimizer: 'adam' }, true);
      expect(log.points).toHaveLength(2);
      for (const p of log.points) for (const v of Object.values(p)) expect(Number.isFinite(v)).toBe(true);
      expect(Number.isFinite(log.fitLoss[0])).toBe(true);
      const [w0, w1] = log.weights!;
      let moved = 0;
      for (let i = 0; i < w0.length; i++) moved = Math.max(moved, Math.abs(w1[i] - w0[i]));
      expect(moved).toBeGreaterThan(1e-4); // two Adam steps of lr 1e-3 move some weight by about 2e-3
    } finally {
      t.dispose();
    }
  });

  it('initialisations set the scales they promise', async () => {
    await tf.setBackend('cpu');
    const std = (m: tf.LayersModel) => {
      const w = m.layers[0].getWeights()[0].dataSync();
      let s = 0;
      for (const v of w) s += v * v;
      return Math.sqrt(s / w.length);
    };
    const he = buildStudyModel('wide', 'he', 1);
    const large = buildStudyModel('wide', 'normal-large', 1);
    const dead = buildStudyModel('mlp', 'dead-relu', 1);
    expect(std(he)).toBeGreaterThan(0.6 * Math.sqrt(2 / 784));
    expect(std(he)).toBeLessThan(1.1 * Math.sqrt(2 / 784));
    expect(std(large)).toBeGreaterThan(0.9);
    expect(Array.from(dead.layers[0].getWeights()[1].dataSync()).every((b) => b === -3)).toBe(true);
    expect(Array.from(dead.layers[3].getWeights()[1].dataSync()).every((b) => b === 0)).toBe(true);
    expect(readWeights(buildStudyModel('mlp', 'xavier', 2))).toEqual(readWeights(buildStudyModel('mlp', 'xavier', 2)));
    for (const m of [he, large, dead]) m.dispose();
  });
});

describe('spectrum experiment, quick', () => {
  it('writes runs, decisions, Fig. 2 spectra, plots and a summary with finite numbers', async () => {
    const out = mkdtempSync(join(tmpdir(), 'spectrum-'));
    dirs.push(out);
    await yargs().command(spectrumCommand).strict().parseAsync(['spectrum', '--quick', '--out', out, '--backend', 'wasm']);
    for (const f of ['runs.csv', 'decisions.csv', 'monitor-decisions.csv', 'fig2.csv', 'run-stats.csv', 'summary.csv', 'summary.md']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const plots = readdirSync(join(out, 'plots'));
    expect(plots.filter((p) => p.endsWith('.svg')).length).toBeGreaterThanOrEqual(3 * 7);
    expect(plots).toContain('mlp-xavier-weights-late.svg');

    const lines = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe(COMPARISON_SUMMARY_COLUMNS.join(','));
    expect(lines[0]).toBe(`${SUMMARY_COLUMNS.join(',')},scored_with_restore,on_pareto_front,restart_decided_share`);
    const rows = lines.slice(1).map((l) => l.split(','));
    const names = comparedMethods(QUICK_STUDY).map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['early-stopping-1', 'early-stopping-20', 'prechelt-gl2', 'prechelt-pq0.5', 'prechelt-up3', 'spectrum', 'full-budget']));
    const stopRows = rows.filter((r) => r[6] !== '');
    expect(stopRows.map((r) => `${r[0]}:${r[6]}`)).toEqual([...names.map((n) => `${n}:0`), ...names.map((n) => `${n}:1`)]);
    for (const r of stopRows) {
      expect(r).toHaveLength(9);
      expect(Number(r[1])).toBe(3); // three good initialisations, one seed
      for (const v of r.slice(1, 4)) expect(Number.isFinite(Number(v)) && v !== '').toBe(true);
      expect(Number(r[2])).toBeGreaterThanOrEqual(1);
      expect(Number(r[2])).toBeLessThanOrEqual(40);
      expect(['0', '1']).toContain(r[7]);
      if (r[0].startsWith('spectrum')) {
        for (const v of r.slice(4, 6)) {
          expect(v).not.toBe('');
          expect(Number(v)).toBeGreaterThanOrEqual(0);
          expect(Number(v)).toBeLessThanOrEqual(1);
        }
      } else {
        expect(r.slice(4, 6)).toEqual(['', '']);
        expect(r[8]).toBe('');
      }
    }
    // the full budget: 40 epochs, and with restore it can never end worse than earlyStopping(10) with restore
    const row = (m: string, restore: string) => stopRows.find((r) => r[0] === m && r[6] === restore)!;
    expect(Number(row('full-budget', '0')[2])).toBe(40);
    expect(Number(row('full-budget', '1')[3])).toBeLessThanOrEqual(Number(row('early-stopping-10', '1')[3]));
    // at least one method per scoring is on the Pareto front
    for (const restore of ['0', '1']) expect(stopRows.some((r) => r[6] === restore && r[7] === '1')).toBe(true);
    const lightning = rows.filter((r) => r[0].startsWith('lightning-'));
    expect(lightning).toHaveLength(3);
    for (const r of lightning) expect(Number(r[1])).toBe(3 + 3); // every good and bad run
    const forecast = readFileSync(join(out, 'forecast.csv'), 'utf8').trim().split('\n');
    expect(forecast[0]).toBe('method,prefix_share,median_abs_rel_error');
    expect(forecast.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(
      expect.arrayContaining(['koopman,0.1', 'koopman,0.2', 'koopman,0.3', 'curve-fit,0.1', 'curve-fit,0.2', 'curve-fit,0.3']),
    );
    expect(existsSync(join(out, 'plots', 'stopping-pareto.svg'))).toBe(true);

    const runs = readFileSync(join(out, 'runs.csv'), 'utf8').trim().split('\n');
    expect(runs[0].split(',')).toEqual(['model', 'init', 'seed', 'bad', 'epoch', 'train_loss', 'val_loss', 'test_loss', 'test_acc', 'fit_loss', 'epoch_ms']);
    expect(runs.length - 1).toBe(3 * 41 + 3 * 11); // good runs: w_0 … w_40; three bad runs: 25% of the budget
    for (const line of runs.slice(1)) {
      const [, , , , , train, val, test] = line.split(',');
      for (const v of [train, val, test]) expect(Number.isFinite(Number(v))).toBe(true);
    }
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md).toContain('Command: `');
    // each verdict follows from the numbers in summary.csv / forecast.csv
    const verdict = (re: RegExp) => re.exec(md)?.[1];
    const sm0 = row('spectrum', '0');
    const es0 = row('early-stopping-10', '0');
    const stopNeeds = Number(sm0[2]) / Number(es0[2]) <= 0.7 && Number(sm0[3]) / Number(es0[3]) <= 1.01;
    // met needs the medians (and the paired ratios) within the bounds: medians outside mean not met
    if (!stopNeeds) expect(verdict(/Stop with ≥ 30% fewer epochs[^:]*: (not met|met)/)).toBe('not met');
    expect(verdict(/Restart recall ≥ 95%[^:]*: (not met|met)/)).toBe(Number(sm0[4]) >= 0.95 && Number(sm0[5]) <= 0.05 ? 'met' : 'not met');
    expect(verdict(/Spectrum rule on the Pareto front \(restore\): (not met|met)/)).toBe(row('spectrum', '1')[7] === '1' ? 'met' : 'not met');
    const fc = (m: string) => Number(forecast.find((l) => l.startsWith(`${m},0.2,`))!.split(',')[2]);
    expect(verdict(/Forecast error from 20% below the curve fit's \(median\): (not met|met)/)).toBe(fc('koopman') < fc('curve-fit') ? 'met' : 'not met');
    expect(md).not.toMatch(/NaN|undefined/);
    expect(md).toMatch(/earliest epoch whose test loss is within 1% of earlyStopping\(10\)'s is a median/);

    // --report-only rebuilds the same summary from the CSVs and study.json, without training
    const csvBefore = readFileSync(join(out, 'summary.csv'), 'utf8');
    rmSync(join(out, 'summary.csv'));
    rmSync(join(out, 'summary.md'));
    await yargs().command(spectrumCommand).strict().parseAsync(['spectrum', '--quick', '--out', out, '--backend', 'wasm', '--report-only']);
    expect(readFileSync(join(out, 'summary.csv'), 'utf8')).toBe(csvBefore);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toBe(md);
    const empty = mkdtempSync(join(tmpdir(), 'spectrum-empty-'));
    dirs.push(empty);
    await expect(yargs().command(spectrumCommand).strict().parseAsync(['spectrum', '--quick', '--out', empty, '--report-only'])).rejects.toThrow(/neither study.json nor summary.md found/);
  });
});
