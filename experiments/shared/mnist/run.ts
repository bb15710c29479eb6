import * as tf from '@tensorflow/tfjs';
import { koopmanTraining, type KoopmanTraining, type KoopmanTrainingArgs } from '../../../plugins/koopman-training/index.js';
import { readWeights } from '../../../src/tfjs/weights.js';
import type { MnistTensors } from '../data/split.js';
import { evaluate, withSeededRandom } from '../train.js';
import { getLearningRate, setLearningRate } from '../../../src/tfjs/learning-rate.js';
import { MLP_ADADELTA, buildMlp } from '../mlp.js';
import { makeOptimizer } from '../optimizers.js';

export interface RunSettings {
  epochs: number;
  stepsPerEpoch: number;
  batchSize: number;
  /** Learning-rate decay per epoch (Adadelta lr 1.0 × gamma^epoch). */
  gamma: number;
  /** Epoch ends at which to keep a copy of the weights (plain runs: t2 and t2 + T). */
  keepWeightsAt?: number[];
  /** Flat weight indices whose value is traced every step in [from, to] (optimizer steps). */
  trace?: { indices: number[]; from: number; to: number };
  /**
   * Optimizer steps (plain runs) after which the test and training losses are also evaluated,
   * for T_eq on a grid finer than epochs; the evaluation time is not counted as training time.
   */
  fineSteps?: number[];
}

export interface RunResult {
  /** Test loss/accuracy before training (index 0) and after each epoch. */
  testLoss: number[];
  testAcc: number[];
  /** Training loss (on the fixed training subset) before training and after each epoch. */
  trainLoss: number[];
  /** Losses after the optimizer steps of `fineSteps` (plain runs). */
  fine: { step: number; testLoss: number; trainLoss: number }[];
  /** Wall time of each epoch's training (plugin work included, test evaluation excluded). */
  epochMs: number[];
  /** Cumulative training wall time at each epoch end (index 0 = 0). */
  wallMs: number[];
  weights: Map<number, Float32Array>;
  report: KoopmanTraining['report'] | null;
  /** Test loss and accuracy (and training loss) right after each accepted jump, and the weights after the first. */
  afterJump: { step: number; testLoss: number; testAcc: number; trainLoss: number }[];
  firstJumpWeights: Float32Array | null;
  /** Traced weights: value per step (plain runs), or the first jump's Koopman trajectory from t2 (plugin runs). */
  trace: Map<number, { steps: number[]; values: number[] }>;
}

/** The first jump's Koopman trajectory of some flat weights, `steps` steps on from t2. */
function koopmanTrace(kt: KoopmanTraining, indices: number[], steps: number, r: RunResult): void {
  const fit = kt.lastFit!;
  for (const i of indices) {
    const g = fit.groups.findIndex((grp) => grp.indices.includes(i));
    const op = g >= 0 ? fit.operators[g] : null;
    if (!op) continue;
    const c = fit.groups[g].indices.indexOf(i);
    const n = Math.floor(steps / fit.stride);
    const traj = op.trajectory(fit.states[g], n);
    r.trace.set(i, { steps: traj.map((_, t) => fit.step + t * fit.stride), values: traj.map((x) => x[c]) });
  }
}

/** One training run of the MNIST MLP, plain (plugin undefined) or with the Koopman plugin. */
export async function runMnist(
  data: MnistTensors,
  seed: number,
  s: RunSettings,
  plugin?: Omit<KoopmanTrainingArgs, 'onJump'>,
  onEpoch?: (epoch: number, r: RunResult) => void,
): Promise<RunResult> {
  return withSeededRandom(seed, async () => {
    const model = buildMlp(seed);
    const opt = makeOptimizer(MLP_ADADELTA);
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const r: RunResult = {
      testLoss: [],
      testAcc: [],
      trainLoss: [],
      fine: [],
      epochMs: [],
      wallMs: [0],
      weights: new Map(),
      report: null,
      afterJump: [],
      firstJumpWeights: null,
      trace: new Map(),
    };
    const e0 = evaluate(model, data.xTest, data.yTest);
    r.testLoss.push(e0.loss);
    r.testAcc.push(e0.acc);
    r.trainLoss.push(evaluate(model, data.xTrainEval, data.yTrainEval).loss);
    // Time spent evaluating test/training losses for this report, subtracted from the epoch's training time.
    let evalMs = 0;
    let kt: KoopmanTraining | null = null;
    if (plugin) {
      kt = koopmanTraining({
        ...plugin,
        stepsPerEpoch: s.stepsPerEpoch,
        onJump: (j) => {
          if (s.trace && kt?.lastFit && r.trace.size === 0) koopmanTrace(kt, s.trace.indices, s.trace.to - j.step, r);
          if (!j.accepted) return;
          const e0 = performance.now();
          const e = evaluate(model, data.xTest, data.yTest);
          r.afterJump.push({ step: j.step, testLoss: e.loss, testAcc: e.acc, trainLoss: evaluate(model, data.xTrainEval, data.yTrainEval).loss });
          evalMs += performance.now() - e0;
          if (!r.firstJumpWeights) r.firstJumpWeights = readWeights(model);
        },
      });
    }
    let t0 = 0;
    let step = 0;
    const fineSteps = new Set(plugin ? [] : (s.fineSteps ?? []));
    const tracer = s.trace && !plugin ? s.trace : null;
    const flatNow = tracer ? new Float32Array(readWeights(model).length) : null;
    const clock = new (class extends tf.Callback {
      override async onBatchEnd() {
        step++;
        if (tracer && flatNow && step >= tracer.from && step <= tracer.to) {
          readWeights(model, flatNow);
          for (const i of tracer.indices) {
            if (!r.trace.has(i)) r.trace.set(i, { steps: [], values: [] });
            r.trace.get(i)!.steps.push(step);
            r.trace.get(i)!.values.push(flatNow[i]);
          }
        }
        if (fineSteps.has(step)) {
          const e0 = performance.now();
          r.fine.push({ step, testLoss: evaluate(model, data.xTest, data.yTest).loss, trainLoss: evaluate(model, data.xTrainEval, data.yTrainEval).loss });
          evalMs += performance.now() - e0;
        }
      }
      override async onEpochBegin() {
        t0 = performance.now();
        evalMs = 0;
      }
      override async onEpochEnd(epoch: number) {
        const ms = performance.now() - t0 - evalMs;
        r.epochMs.push(ms);
        r.wallMs.push(r.wallMs[r.wallMs.length - 1] + ms);
        const e = evaluate(model, data.xTest, data.yTest);
        r.testLoss.push(e.loss);
        r.testAcc.push(e.acc);
        r.trainLoss.push(evaluate(model, data.xTrainEval, data.yTrainEval).loss);
        if (s.keepWeightsAt?.includes(epoch + 1)) r.weights.set(epoch + 1, readWeights(model));
        setLearningRate(opt, getLearningRate(opt) * s.gamma);
        onEpoch?.(epoch + 1, r);
      }
    })();
    // the plugin runs before the clock's epoch end, so a jump at an epoch's last step is inside that epoch's time
    await model.fit(data.x, data.y, {
      epochs: s.epochs,
      batchSize: s.batchSize,
      shuffle: true,
      verbose: 0,
      callbacks: kt ? [kt, clock] : [clock],
    });
    r.report = kt ? kt.report : null;
    model.dispose();
    opt.dispose();
    return r;
  });
}
