import * as tf from '@tensorflow/tfjs';
import { koopmanTraining, type KoopmanReport } from '../../plugins/koopman-training/index.js';
import { readWeights, writeWeights } from '../../src/tfjs/weights.js';
import type { MnistTensors } from '../shared/data/split.js';
import { buildMlp } from '../shared/mlp.js';
import { makeOptimizer } from '../shared/optimizers.js';
import { evaluate, withSeededRandom } from '../shared/train.js';
import { WeightEma } from './ema.js';
import { emaDecay, type DemoSettings } from './settings.js';

/** The three ways the demo trains the same network. */
export const DEMO_METHODS = Object.freeze(['plain', 'ema', 'koopman'] as const);
export type DemoMethod = (typeof DEMO_METHODS)[number];

/** How each method is named in the table, the plot and the progress bar. */
export const METHOD_LABELS: Readonly<Record<DemoMethod, string>> = Object.freeze({
  plain: 'plain Adam',
  ema: 'Adam + EMA',
  koopman: 'Adam + koopmanTraining',
});

/** One run of the demo: the test-set curve against training wall time, and what the user holds at the end. */
export interface DemoRun {
  method: DemoMethod;
  /**
   * Training wall time (s) at each evaluation: index 0 before training, then each epoch end. It
   * counts fit() and every callback of the method (the plugin's recording, fits, guard; the EMA's
   * updates) and excludes the test-set evaluations made only for this report.
   */
  wallS: number[];
  /** The same in this process's CPU seconds (user + system): wasm runs single-threaded, so on a busy machine it is the steadier clock. */
  cpuS: number[];
  /** Test loss (categorical cross-entropy) and accuracy at each evaluation, of the weights the method hands out (EMA: the average). */
  testLoss: number[];
  testAcc: number[];
  /** Seconds spent on the report's evaluations (subtracted from wallS). */
  evalS: number;
  /** The weights before training (every method of a seed starts from the same ones). */
  initialWeights: Float32Array;
  /** The model's weights after fit() (the average for EMA). */
  finalWeights: Float32Array;
  /** EMA decay per step, for method 'ema'. */
  emaDecay: number | null;
  /** The plugin's report, for method 'koopman'. */
  report: KoopmanReport | null;
  /** tf.memory().numTensors after the run minus before it (0: nothing leaked). */
  tensorDelta: number;
}

/** Hooks for tests and the CLI's progress bar. */
export interface RunHooks {
  /** Extra callbacks run after the method's own (before the report's evaluation). */
  callbacks?: tf.Callback[];
  /** Called at every epoch end (1-based) with the test loss just measured, e.g. to tick a progress bar. */
  onEpoch?: (epoch: number, testLoss: number) => void;
}

/**
 * Trains the MLP once with `method`, with `model.fit()` as a user writes it: the seed's initial
 * weights, Adam, batches shuffled by fit() from a Math.random seeded by the seed (the same data
 * order for every method). The plugin is the one-line auto schedule:
 * `koopmanTraining({ guard: { validationData: [xGuard, yGuard] } })`.
 */
export async function runDemoMethod(method: DemoMethod, data: MnistTensors, s: DemoSettings, hooks: RunHooks = {}): Promise<DemoRun> {
  const before = tf.memory().numTensors;
  return withSeededRandom(s.seed, async () => {
    const model = buildMlp(s.seed);
    const opt = makeOptimizer({ name: 'adam', learningRate: s.learningRate });
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const decay = method === 'ema' ? emaDecay(s) : null;
    const ema = decay !== null ? new WeightEma(decay) : null;
    const kt = method === 'koopman' ? koopmanTraining({ guard: { validationData: [data.xVal, data.yVal] } }) : null;
    const run: DemoRun = {
      method,
      wallS: [0],
      cpuS: [0],
      testLoss: [],
      testAcc: [],
      evalS: 0,
      initialWeights: readWeights(model),
      finalWeights: new Float32Array(0),
      emaDecay: decay,
      report: null,
      tensorDelta: 0,
    };
    const e0 = evaluate(model, data.xTest, data.yTest);
    run.testLoss.push(e0.loss);
    run.testAcc.push(e0.acc);
    let start = 0;
    let evalMs = 0;
    let cpuStart = 0;
    let evalCpu = 0;
    const cpuNow = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    };
    const clock = new (class extends tf.Callback {
      override async onEpochEnd(epoch: number) {
        const t = performance.now();
        const c = cpuNow();
        run.wallS.push((t - start - evalMs) / 1000);
        run.cpuS.push(c - cpuStart - evalCpu);
        let e: { loss: number; acc: number };
        if (ema) {
          const raw = readWeights(model);
          writeWeights(model, ema.average());
          e = evaluate(model, data.xTest, data.yTest);
          writeWeights(model, raw);
        } else e = evaluate(model, data.xTest, data.yTest);
        run.testLoss.push(e.loss);
        run.testAcc.push(e.acc);
        hooks.onEpoch?.(epoch + 1, e.loss);
        evalMs += performance.now() - t;
        evalCpu += cpuNow() - c;
      }
    })();
    const own: tf.Callback[] = ema ? [ema] : kt ? [kt] : [];
    start = performance.now();
    cpuStart = cpuNow();
    await model.fit(data.x, data.y, {
      epochs: s.epochs,
      batchSize: s.batchSize,
      shuffle: true,
      verbose: 0,
      callbacks: [...own, ...(hooks.callbacks ?? []), clock],
    });
    run.evalS = evalMs / 1000;
    run.finalWeights = readWeights(model);
    run.report = kt ? kt.report : null;
    model.dispose();
    opt.dispose();
    run.tensorDelta = tf.memory().numTensors - before;
    return run;
  });
}

/**
 * Trains and evaluates a throwaway copy of the network for `steps` steps (one epoch) before the
 * race, so that the first run does not pay alone for what the first fit() in a process costs
 * (JIT compilation of tfjs's training loop, first kernel calls). Uses its own seeded Math.random;
 * leaves no tensor.
 */
export async function warmUp(data: MnistTensors, s: DemoSettings, steps = s.stepsPerEpoch): Promise<void> {
  await withSeededRandom(s.seed + 1, async () => {
    const model = buildMlp(s.seed + 1);
    const opt = makeOptimizer({ name: 'adam', learningRate: s.learningRate });
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const n = Math.min(steps * s.batchSize, data.x.shape[0]);
    const [x, y] = [data.x.slice(0, n), data.y.slice(0, n)];
    await model.fit(x, y, { epochs: 1, batchSize: s.batchSize, shuffle: true, verbose: 0 });
    evaluate(model, data.xTest, data.yTest);
    tf.dispose([x, y]);
    model.dispose();
    opt.dispose();
  });
}
