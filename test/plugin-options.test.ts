import { describe, expect, it } from 'vitest';
import { KOOPMAN_TRAINING_DEFAULTS, koopmanTraining, resolveKoopmanTrainingArgs } from '../plugins/koopman-training/index.js';
import { spectrumMonitor } from '../plugins/spectrum-monitor/index.js';

const ok = { window: { start: 0, end: 10 }, horizon: 5 };

describe('plugin options: one defaults table, unknown keys named', () => {
  it('koopmanTraining rejects a misspelt option and names it with the accepted ones', () => {
    expect(() => koopmanTraining({ ...ok, horizn: 2 } as never)).toThrow(/^koopmanTraining: unknown option 'horizn'; accepted: window, horizon, partition, guard/);
    expect(() => koopmanTraining({ ...ok, window: { start: 0, end: 10, untis: 'epoch' } } as never)).toThrow("window: unknown option 'untis'; accepted: start, end, unit");
    expect(() => koopmanTraining({ ...ok, guard: { lossFn: () => 0, batchsize: 10 } } as never)).toThrow(/^guard: unknown option 'batchsize'; accepted: validationData, lossFn, candidates, batchSize/);
  });

  it('spectrumMonitor rejects a misspelt option and names it', () => {
    expect(() => spectrumMonitor({ patients: 3 } as never)).toThrow(/unknown spectrumMonitor option 'patients'/);
  });

  it('a horizon given as a string says it is a string', () => {
    expect(() => koopmanTraining({ ...ok, horizon: '2' as never })).toThrow("horizon must be an integer > 0 (steps to jump ahead); got '2' (a string)");
  });

  it('the options in force are the defaults constant with the user settings on top', () => {
    const kt = koopmanTraining({ ...ok, rank: 3, guard: { lossFn: () => 0 } });
    expect(kt.options.fit).toEqual({ rank: 3, ridge: 0, affine: true, stabilize: true, scale: false, tol: 1e-7 });
    expect(kt.options.partition).toEqual({ default: 'node', layers: {}, unknown: 'skip' });
    expect(kt.options.guard).toMatchObject({ batchSize: 1000, minImprovement: 0, agreement: null, candidates: null });
    expect(kt.options.recordEvery).toBe(KOOPMAN_TRAINING_DEFAULTS.recordEvery);
    expect(resolveKoopmanTrainingArgs(ok).window).toEqual({ start: 0, end: 10, unit: 'step' });
  });
});

describe('koopmanTraining: construction-time misuse, each with its message', () => {
  const cases: [string, Record<string, unknown>, string | RegExp][] = [
    ['horizon 0', { horizon: 0 }, 'horizon must be an integer > 0 (steps to jump ahead); got 0'],
    ['horizon negative', { horizon: -3 }, 'horizon must be an integer > 0 (steps to jump ahead); got -3'],
    ['horizon NaN', { horizon: NaN }, 'horizon must be an integer > 0 (steps to jump ahead); got NaN'],
    ['horizon not a number', { horizon: { steps: 2 } }, 'horizon must be an integer > 0 (steps to jump ahead); got [object Object]'],
    ["horizon '2'", { horizon: '2' }, "horizon must be an integer > 0 (steps to jump ahead); got '2' (a string)"],
    ['window end ≤ start', { window: { start: 5, end: 5 } }, 'window.end (5) must be greater than window.start (5)'],
    ['unknown partition kind', { partition: { default: 'neuron' } }, "partition.default: unknown partition kind 'neuron'; accepted: single, node, quasi-node, layer, network, skip"],
    ['recordEvery 0', { recordEvery: 0 }, 'recordEvery must be an integer ≥ 1; got 0'],
    ['unknown dtype', { dtype: 'float16' }, "dtype must be 'float32' or 'float64'; got float16"],
    ['unknown optimizerState', { optimizerState: 'zero' }, "optimizerState must be 'keep' or 'reset'; got zero"],
    ['guard without data', { guard: {} }, 'guard needs validationData: [x, y] or a lossFn(model) => loss; omit guard to jump unchecked'],
    ['misspelt key', { horizn: 2 }, /^koopmanTraining: unknown option 'horizn'/],
  ];
  for (const [name, bad, message] of cases) {
    it(name, () => {
      expect(() => koopmanTraining({ ...ok, ...bad } as never)).toThrow(message);
    });
  }

  it('spectrumMonitor: a monitor key fit() will never log is reported when training begins', async () => {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [2], units: 1 }));
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const warn: string[] = [];
    const saved = console.warn;
    console.warn = (s: string) => void warn.push(s);
    try {
      await m.fit(tf.zeros([4, 2]), tf.zeros([4, 1]), { epochs: 1, verbose: 0, callbacks: [spectrumMonitor({ monitor: 'val_accuracy' })] });
    } finally {
      console.warn = saved;
    }
    expect(warn.join('\n')).toMatch(/val_accuracy/);
  });
});

describe('koopmanTraining: the fit memory is checked before training', () => {
  it('a network operator too large for the exact fit is refused at attach, naming what to change', async () => {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [4000], units: 50 })); // 200 050 weights
    const kt = koopmanTraining({ window: { start: 0, end: 2000 }, horizon: 10, partition: { default: 'network' } });
    await expect(kt.attach(m)).rejects.toThrow(
      /^group network \(dimension 200050\) over 2001 snapshots needs \d+ MiB for its fit \(qr route; bound 1024 MiB\): use an integer rank/,
    );
    m.dispose();
  });
});
