import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { KoopmanTraining, koopmanTraining, type KoopmanTrainingArgs } from '../plugins/koopman-training/index.js';
import { TWO_TFJS_COPIES, WRAPPED_AS_PLAIN_OBJECT } from '../plugins/koopman-training/checks.js';
import { readWeights } from '../src/tfjs/weights.js';
import { regressionData, regressionModel } from './helpers.js';

// The training plugin as tfjs code uses it: one fit() per epoch, resumed runs, fitDataset, saved
// state, bad guard data and guards that fail, against the same training without the plugin.

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const N = 32;
const BATCH = 8; // 4 steps per epoch

const data = (seed = 5) => regressionData(tf, N, seed);
const model = (seed = 1): tf.Sequential => regressionModel(tf, seed);

function args(extra: Partial<KoopmanTrainingArgs> = {}, validation?: [tf.Tensor, tf.Tensor]): KoopmanTrainingArgs {
  return {
    window: { start: 2, end: 5, unit: 'epoch' },
    horizon: 2,
    every: 2,
    guard: validation ? { validationData: validation } : { lossFn: () => 1 },
    ...extra,
  };
}

const fitOpts = (callbacks: tf.CustomCallbackArgs[] | KoopmanTraining[], epochs: number, initialEpoch = 0) =>
  ({ epochs, initialEpoch, batchSize: BATCH, shuffle: false, verbose: 0 as const, callbacks: callbacks as tf.Callback[] });

describe('koopmanTraining across fit() calls', () => {
  it('eight one-epoch fit() calls decide and end exactly as one eight-epoch fit()', async () => {
    const { x, y } = data();
    const one = model();
    const ktOne = koopmanTraining(args({}, [x, y]));
    await one.fit(x, y, fitOpts([ktOne], 8));
    const many = model();
    const ktMany = koopmanTraining(args({}, [x, y]));
    for (let e = 0; e < 8; e++) await many.fit(x, y, fitOpts([ktMany], 1));
    expect(ktMany.report.optimizerSteps).toBe(32);
    expect(ktOne.report.jumps.length).toBeGreaterThan(0);
    expect(ktMany.report.jumps.map((j) => [j.step, j.horizon, j.accepted])).toEqual(ktOne.report.jumps.map((j) => [j.step, j.horizon, j.accepted]));
    expect(Array.from(readWeights(many))).toEqual(Array.from(readWeights(one)));
  });

  it('the initialEpoch resume loop counts steps on and matches an uninterrupted run', async () => {
    const { x, y } = data();
    const one = model();
    const ktOne = koopmanTraining(args({}, [x, y]));
    await one.fit(x, y, fitOpts([ktOne], 8));
    const resumed = model();
    const kt = koopmanTraining(args({}, [x, y]));
    await resumed.fit(x, y, fitOpts([kt], 3));
    await resumed.fit(x, y, fitOpts([kt], 8, 3));
    expect(kt.report.optimizerSteps).toBe(32);
    expect(Array.from(readWeights(resumed))).toEqual(Array.from(readWeights(one)));
  });

  it('reset() starts over: the next fit() counts from step 0 again', async () => {
    const { x, y } = data();
    const m = model();
    const kt = koopmanTraining(args({}, [x, y]));
    await m.fit(x, y, fitOpts([kt], 6));
    expect(kt.report.jumps.length).toBe(1);
    kt.reset();
    await m.fit(x, y, fitOpts([kt], 4));
    expect(kt.report.optimizerSteps).toBe(16);
    expect(kt.report.jumps.length).toBe(0);
  });

  it('stateDict() / loadStateDict() resume a run in a new plugin exactly', async () => {
    const { x, y } = data();
    const one = model();
    const ktOne = koopmanTraining(args({}, [x, y]));
    await one.fit(x, y, fitOpts([ktOne], 8));
    const m = model();
    const first = koopmanTraining(args({}, [x, y]));
    await m.fit(x, y, fitOpts([first], 4)); // mid-window of the first jump
    const saved = JSON.parse(JSON.stringify(first.stateDict()));
    const second = koopmanTraining(args({}, [x, y]));
    second.setModel(m);
    second.setParams({ epochs: 8, initialEpoch: 4, samples: N, batchSize: BATCH, });
    second.loadStateDict(saved);
    await m.fit(x, y, fitOpts([second], 8, 4));
    expect(second.report.jumps.map((j) => [j.step, j.horizon])).toEqual(ktOne.report.jumps.map((j) => [j.step, j.horizon]));
    expect(Array.from(readWeights(m))).toEqual(Array.from(readWeights(one)));
  });
});

describe('koopmanTraining: every misuse answered clearly', () => {
  it('guard data of the wrong shape is refused at train begin, naming guard.validationData', async () => {
    const { x, y } = data();
    const m = model();
    const kt = koopmanTraining(args({}, [tf.zeros([5, 7]), tf.zeros([5, 2])]));
    await expect(m.fit(x, y, fitOpts([kt], 1))).rejects.toThrow('guard.validationData: input 0 has shape [5, 7] but the model expects [batch, 3]');
    const kt2 = koopmanTraining(args({}, [tf.zeros([5, 3]), tf.zeros([4, 2])]));
    await expect(m.fit(x, y, fitOpts([kt2], 1))).rejects.toThrow('guard.validationData: x and y must hold the same number of samples; got 5 and 4');
  });

  it('plain arrays as guard data are refused at construction', () => {
    expect(() => koopmanTraining(args({ guard: { validationData: [[[1, 2, 3]], [[1, 2]]] as never } }))).toThrow(
      'guard.validationData: x must be a tf.Tensor (or an array of tensors for a multi-input model); got a plain array of length 1',
    );
  });

  it('a lossFn that returns a tensor, or NaN at t2, is an error naming guard.lossFn; the t2 weights are kept', async () => {
    const { x, y } = data();
    const m = model();
    const kt = koopmanTraining(args({ guard: { lossFn: () => tf.scalar(1) as never } }));
    await expect(m.fit(x, y, fitOpts([kt], 6))).rejects.toThrow(/guard.lossFn must return a number .*got an object \(a tensor\?/);
    const m2 = model();
    const kt2 = koopmanTraining(args({ guard: { lossFn: () => NaN } }));
    await expect(m2.fit(x, y, fitOpts([kt2], 6))).rejects.toThrow('guard loss at t2 (before any jump) is NaN: guard.lossFn gives no finite loss to compare candidates with');
  });

  it('a lossFn that throws during the candidate search leaves the exact t2 weights and a record saying so', async () => {
    const { x, y } = data();
    const m = model();
    let calls = 0;
    let atT2: Float32Array | null = null;
    const kt = koopmanTraining(
      args({
        guard: {
          lossFn: (mm) => {
            calls++;
            if (calls === 1) {
              atT2 = readWeights(mm);
              return 1;
            }
            throw new Error('boom');
          },
        },
      }),
    );
    await expect(m.fit(x, y, fitOpts([kt], 6))).rejects.toThrow('boom');
    expect(Array.from(readWeights(m))).toEqual(Array.from(atT2!));
    const rec = kt.report.jumps[0];
    expect(rec.accepted).toBe(false);
    expect(rec.reason).toBe('the decision failed (boom); exact t2 weights restored before the error was passed on');
  });

  it('a minImprovement rejection says the best candidate was lower but not lower enough', async () => {
    const { x, y } = data();
    const m = model();
    const kt = koopmanTraining(args({ guard: { validationData: [x, y], minImprovement: 0.99 } }));
    await m.fit(x, y, fitOpts([kt], 6));
    const rec = kt.report.jumps[0];
    expect(rec.accepted).toBe(false);
    expect(rec.reason).toMatch(/^the best candidate \(\S+ at \d+ steps\) lowered the guard loss by \d+\.\d+%, less than guard.minImprovement 0.99 asks \(below \S+\); exact t2 weights restored$/);
  });

  it('a window longer than the training is a note at train begin and at train end', async () => {
    const { x, y } = data();
    const m = model();
    const kt = koopmanTraining(args({ window: { start: 2, end: 20, unit: 'epoch' } }));
    let begin: string[] = [];
    await m.fit(x, y, {
      ...fitOpts([kt], 3),
      callbacks: [kt, new (class extends tf.Callback {
        override async onEpochBegin() {
          if (begin.length === 0) begin = [...kt.report.notes];
        }
      })()],
    });
    expect(begin).toContain('window beyond the planned training: the window ends at step 80 but this fit() runs to step 12; the jump is made only if training goes on (another fit() call on the same model)');
    expect(kt.report.notes).toContain('window beyond the planned training: training stopped at step 12, before the window end (step 80): no jump was made');
  });

  it('fitDataset without batchesPerEpoch learns the epoch length from the first epoch', async () => {
    const { x, y } = data();
    const m = model();
    const xs = x.arraySync() as number[][];
    const ys = y.arraySync() as number[][];
    // a generator: tfjs cannot know the epoch length in advance
    const ds = tf.data
      .generator(function* () {
        for (let i = 0; i < N; i++) yield { xs: xs[i], ys: ys[i] };
      })
      .batch(BATCH);
    const kt = koopmanTraining(args({}, [x, y]));
    await m.fitDataset(ds, { epochs: 6, verbose: 0, callbacks: [kt] });
    expect(kt.report.notes).toContain('steps per epoch learned from the first epoch: 4 (fitDataset did not report them)');
    expect(kt.report.jumps[0].step).toBe(20);
  });

  it('a callback called by another copy of tfjs says so and how to fix it', async () => {
    const kt = koopmanTraining(args());
    const foreign = { params: {}, model: model() }; // what a second tfjs's CustomCallback passes as `this`
    await expect(KoopmanTraining.prototype.onTrainBegin.call(foreign as never)).rejects.toThrow(TWO_TFJS_COPIES);
    expect(TWO_TFJS_COPIES).toMatch(/npm install --install-links/);
    expect(kt).toBeInstanceOf(tf.Callback);
  });
});

describe('koopmanTraining: review cases', () => {
  it('sparse integer labels are valid guard data (the model, not the output shape, judges the targets)', async () => {
    const { x } = data();
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [3], units: 4, activation: 'softmax' }));
    m.compile({ optimizer: tf.train.sgd(0.1), loss: 'sparseCategoricalCrossentropy' });
    const labels = tf.tensor2d(Array.from({ length: N }, (_, i) => [i % 4]));
    const kt = koopmanTraining(args({}, [x, labels]));
    await m.fit(x, labels, fitOpts([kt], 6));
    expect(kt.report.jumps.length).toBe(1);
  });

  it('attach(A) and then B.fit(): the plugin follows the model fit() trains', async () => {
    const { x, y } = data();
    const a = model(1);
    const b = model(2);
    const kt = koopmanTraining(args({}, [x, y]));
    await kt.attach(a, 4);
    const before = Array.from(readWeights(a));
    await b.fit(x, y, fitOpts([kt], 6));
    expect(Array.from(readWeights(a))).toEqual(before);
    expect(kt.lastFit!.states[0].length).toBeGreaterThan(0);
    expect(kt.report.optimizerSteps).toBe(24);
  });

  it('recordEvery 2 with default candidates tries multiples of 2', async () => {
    const m = model();
    const kt = koopmanTraining({ window: { start: 0, end: 20 }, horizon: 8, recordEvery: 2, guard: { lossFn: () => 1 } });
    await kt.attach(m);
    const { x, y } = data();
    const opt = tf.train.sgd(0.05);
    for (let s = 0; s < 20; s++) {
      opt.minimize(() => tf.losses.meanSquaredError(y, m.predict(x) as tf.Tensor) as tf.Scalar);
      await kt.afterStep();
    }
    expect(kt.report.jumps[0].candidates.map((c) => c.horizon)).toEqual([2, 4, 8]);
  });

  it('a plain-object callback first in the list: the error says to put the plugin first', async () => {
    const { x, y } = data();
    const m = model();
    const kt = koopmanTraining(args({}, [x, y]));
    await expect(m.fit(x, y, { ...fitOpts([kt], 1), callbacks: [{ onEpochEnd: async () => undefined }, kt] as never })).rejects.toThrow(WRAPPED_AS_PLAIN_OBJECT);
  });

  it('a failed decision does not stall the schedule: the next window is recorded and decided', async () => {
    const { x, y } = data();
    const m = model();
    let calls = 0;
    const kt = koopmanTraining(args({ guard: { lossFn: () => { calls++; if (calls === 2) throw new Error('boom'); return 1; } } }));
    await expect(m.fit(x, y, fitOpts([kt], 6))).rejects.toThrow('boom');
    await m.fit(x, y, fitOpts([kt], 4));
    // every 2 epochs of 4 steps: decisions at steps 20 (failed), 28 and 36
    expect(kt.report.jumps.map((j) => j.step)).toEqual([20, 28, 36]);
  });

  it('a misspelt or unknown partition key or kind is refused at construction', () => {
    expect(() => koopmanTraining(args({ partition: { defualt: 'layer' } as never }))).toThrow(/^partition: unknown option 'defualt'; accepted: default, layers, unknown$/);
    expect(() => koopmanTraining(args({ partition: { default: 'nod' as never } }))).toThrow("partition.default: unknown partition kind 'nod'; accepted: single, node, quasi-node, layer, network, skip");
    expect(() => koopmanTraining(args({ partition: { layers: { h: { kind: 'quasi-node' } } } }))).toThrow('partition.layers.h: quasi-node needs an integer q ≥ 1 (chunk length); got undefined');
  });
});

describe('koopmanTraining: no tensor leaks on any path', () => {
  /** Tensors held after training with the plugin minus after the same training without it. */
  async function extraTensors(run: (m: tf.LayersModel, kt: KoopmanTraining | null) => Promise<void>, make: () => KoopmanTraining): Promise<number> {
    const plain = model();
    let before = tf.memory().numTensors;
    try {
      await run(plain, null);
    } catch {
      // the throwing baseline
    }
    const plainGrowth = tf.memory().numTensors - before;
    const m = model();
    const kt = make();
    before = tf.memory().numTensors;
    try {
      await run(m, kt);
    } catch {
      // the throwing-guard path
    }
    return tf.memory().numTensors - before - plainGrowth;
  }
  const { x, y } = data(9);
  const cbs = (kt: KoopmanTraining | null) => (kt ? [kt] : []);
  const paths: [string, (m: tf.LayersModel, kt: KoopmanTraining | null) => Promise<void>, () => KoopmanTraining][] = [
    ['fit with validationData guard', async (m, kt) => void (await m.fit(x, y, fitOpts(cbs(kt), 8))), () => koopmanTraining(args({}, [x, y]))],
    ['repeated fit', async (m, kt) => { for (let e = 0; e < 8; e++) await m.fit(x, y, fitOpts(cbs(kt), 1)); }, () => koopmanTraining(args({}, [x, y]))],
    ['lossFn guard with rollback', async (m, kt) => void (await m.fit(x, y, fitOpts(cbs(kt), 8))), () => koopmanTraining(args({ guard: { lossFn: () => 1 } }))],
    [
      // fit() itself leaves its batch tensors behind when a callback throws, so the baseline throws at the same step
      'a throwing guard',
      async (m, kt) => {
        let step = 0;
        const thrower = new (class extends tf.Callback {
          override async onBatchEnd() {
            if (++step === 20) throw new Error('boom');
          }
        })();
        await m.fit(x, y, fitOpts(kt ? [kt] : [thrower], 8));
      },
      () => {
        let c = 0;
        return koopmanTraining(args({ guard: { lossFn: () => { if (++c > 1) throw new Error('boom'); return 1; } } }));
      },
    ],
    [
      'fitDataset',
      async (m, kt) => {
        const ds = tf.data.zip({ xs: tf.data.array(x.arraySync() as number[][]), ys: tf.data.array(y.arraySync() as number[][]) }).batch(BATCH);
        await m.fitDataset(ds, { epochs: 6, verbose: 0, callbacks: cbs(kt) });
      },
      () => koopmanTraining(args({}, [x, y])),
    ],
    [
      'custom loop',
      async (m, kt) => {
        const opt = tf.train.sgd(0.05);
        if (kt) await kt.attach(m, 4);
        for (let s = 0; s < 32; s++) {
          const loss = opt.minimize(() => tf.losses.meanSquaredError(y, m.predict(x) as tf.Tensor) as tf.Scalar, true)!;
          const v = loss.dataSync()[0];
          loss.dispose();
          if (kt) await kt.afterStep({ loss: v });
        }
        opt.dispose();
      },
      () => koopmanTraining(args({}, [x, y])),
    ],
  ];
  for (const [name, run, make] of paths) {
    it(`${name}: the same tensor count as training without the plugin`, async () => {
      expect(await extraTensors(run, make)).toBe(0);
    });
  }
});

describe('koopmanTraining state: non-finite numbers survive JSON', () => {
  it('a candidate with a non-finite prediction (Infinity) and an unguarded NaN loss read back as they were', async () => {
    const { x, y } = data();
    const m = model();
    const kt = koopmanTraining(args({}, [x, y]));
    await m.fit(x, y, fitOpts([kt], 6));
    kt.report.jumps[0].candidates[0].loss = Number.POSITIVE_INFINITY;
    kt.report.jumps[0].lossBefore = NaN;
    const json = JSON.stringify(kt.stateDict());
    const back = koopmanTraining(args({}, [x, y]));
    back.setModel(m);
    back.setParams({ epochs: 6, initialEpoch: 6, samples: N, batchSize: BATCH });
    back.loadStateDict(JSON.parse(json));
    expect(back.report.jumps[0].candidates[0].loss).toBe(Number.POSITIVE_INFINITY);
    expect(back.report.jumps[0].lossBefore).toBeNaN();
    expect(back.report.jumps[0].reason).toBe(kt.report.jumps[0].reason);
  });
});
