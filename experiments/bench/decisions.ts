/**
 * Decision lines of `npm run bench`: what whole guarded jump decisions cost against the optimizer
 * time of the steps they replace, on the two shapes issue #12 names besides the paper scale —
 * the MNIST experiment's `best` configuration, and a real client (Dense 784→64→32→10, default
 * node partition, Adam, guarded jumps every 2 epochs of 60 steps).
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { koopmanTraining, type JumpRecord, type KoopmanReport } from '../../plugins/koopman-training/index.js';
import { FASHION_MNIST_DEBIAN_DIR, loadDataset } from '../shared/data/dataset.js';
import { prepareTensors, type MnistTensors } from '../shared/data/split.js';
import { buildMlp } from '../shared/mlp.js';
import { runMnist } from '../shared/mnist/run.js';
import { PAPER_SETTINGS, bestConfig, type MnistSettings } from '../shared/mnist/settings.js';
import { withSeededRandom } from '../shared/train.js';
import type { Report } from './engine.js';

/** Sums of a run's decisions: their cost (fit + extrapolation + guard) and recording; the steps skipped are the report's own count. */
function totals(jumps: JumpRecord[]): { decideMs: number; fitMs: number; guardMs: number; recordMs: number; accepted: number } {
  const sum = (f: (j: JumpRecord) => number) => jumps.reduce((s, j) => s + f(j), 0);
  return {
    decideMs: sum((j) => j.fitMs + j.extrapolateMs + j.guardMs),
    fitMs: sum((j) => j.fitMs),
    guardMs: sum((j) => j.extrapolateMs + j.guardMs),
    recordMs: sum((j) => j.recordMs),
    accepted: jumps.filter((j) => j.accepted).length,
  };
}

/**
 * Reports decision cost ÷ the optimizer time of the steps the accepted jumps skipped. When no jump
 * is accepted that ratio has no finite value; the line then gives the decisions' cost in optimizer
 * steps instead (what a jump would have to skip to break even), with the value reported as the
 * cost over the largest horizon offered (the best any decision could have done).
 */
function reportDecisions(report: Report, name: string, run: KoopmanReport, stepMs: number, offered: number, what: string): void {
  const { jumps, skippedSteps } = run;
  const t = totals(jumps);
  const costSteps = t.decideMs / stepMs;
  const detail =
    `${jumps.length} decisions, ${t.accepted} accepted, ${skippedSteps} steps skipped; fit ${t.fitMs.toFixed(0)} + extrapolate/guard ${t.guardMs.toFixed(0)} ms ` +
    `(${costSteps.toFixed(0)} optimizer steps at ${stepMs.toFixed(3)} ms/step; recording ${t.recordMs.toFixed(0)} ms besides); ${what}`;
  if (skippedSteps > 0) {
    report(name, t.decideMs / (stepMs * skippedSteps), '≤ 0.05', `(${detail})`);
  } else {
    report(name, t.decideMs / (stepMs * offered * jumps.length), '≤ 0.05', `(no jump accepted: value is the cost over the ${offered} steps each decision offered; ${detail})`);
  }
}

/**
 * The MNIST `best` configuration (experiments/shared/mnist/settings.ts) on the bench's data: the paper's
 * schedule (938 steps per epoch, window epochs 2–5, T = 2 epochs, Adadelta with γ = 0.7), cut to 6
 * epochs so it makes the first two decisions (t2 and one epoch later).
 */
export async function benchMnistBest(report: Report, data: MnistTensors): Promise<void> {
  const s: MnistSettings = { ...PAPER_SETTINGS, epochs: 6, dataset: 'mnist', out: '', quick: false };
  const r = await runMnist(data, 1, s, bestConfig(s, [data.xVal, data.yVal]));
  // Epoch 2 is plain training (the window opens at its end): its time per step is the optimizer's.
  const stepMs = r.epochMs[1] / s.stepsPerEpoch;
  reportDecisions(report, 'whole_jumps_over_skipped_steps_mnist_best', r.report!, stepMs, s.horizon * s.stepsPerEpoch, 'embedded digits, seed 1, the MNIST experiment\'s best config (q = 32 quasi-nodes, every 4th step, guarded)');
}

/**
 * The real client of issue #12: Dense 784→64→32→10, Adam (lr 1e-3), the default node partition
 * (64 + 32 + 10 node operators, the first 64 of 785 weights), guarded jumps every 2 epochs of 60
 * steps, 8 epochs; once on the training thread, once with one worker thread.
 */
export async function benchRealClient(report: Report): Promise<void> {
  const fashion = existsSync(FASHION_MNIST_DEBIAN_DIR);
  const ds = loadDataset({ dataset: fashion ? 'fashion' : 'mnist' });
  const spe = 60;
  const data = prepareTensors(ds, spe, 64, 1000, 0);
  // The optimizer's time per step: the second of two plain epochs (the first warms up).
  const plain = buildMlp(1, [64, 32]);
  plain.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const epochMs: number[] = [];
  let e0 = 0;
  const timer = new (class extends tf.Callback {
    override async onEpochBegin() {
      e0 = performance.now();
    }
    override async onEpochEnd() {
      epochMs.push(performance.now() - e0);
    }
  })();
  await plain.fit(data.x, data.y, { epochs: 2, batchSize: 64, shuffle: false, verbose: 0, callbacks: [timer] });
  plain.dispose();
  const stepMs = epochMs[1] / spe;
  for (const threads of [0, 1]) {
    await withSeededRandom(1, async () => {
      const model = buildMlp(1, [64, 32]);
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
      const kt = koopmanTraining({
        window: { start: 0, end: 2, unit: 'epoch' },
        horizon: 2,
        every: 2,
        guard: { validationData: [data.xVal, data.yVal] },
        threads,
      });
      await model.fit(data.x, data.y, { epochs: 8, batchSize: 64, shuffle: false, verbose: 0, callbacks: [kt] });
      reportDecisions(
        report,
        `whole_jumps_over_skipped_steps_real_client${threads ? '_threads1' : ''}`,
        kt.report,
        stepMs,
        2 * spe,
        `${fashion ? 'Fashion-MNIST' : 'embedded digits (Fashion-MNIST not installed)'}, Dense 784→64→32→10, node partition, Adam, seed 1${threads ? ', 1 worker thread' : ''}`,
      );
      model.dispose();
    });
  }
  data.dispose();
}
