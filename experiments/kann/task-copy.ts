import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { kann } from '../../plugins/kann/index.js';
import { common, fmtLambda, fmtTau, meanMagnitudes, type TaskResult } from './common.js';
import { copyData } from './data.js';
import { copyModel, train } from './models.js';
import { heatmapSvg, kannEigenSvg } from './plots.js';
import type { KannSettings } from './settings.js';

/** The copy problem: train an LSTM, run KANN on test sequences, compare per-step read-outs. */
export async function runCopy(s: KannSettings): Promise<TaskResult> {
  const c = s.copy;
  const trainSet = copyData(c.trainSamples, c.copyLength, c.delay, c.symbols, s.seed);
  const test = copyData(c.testSamples, c.copyLength, c.delay, c.symbols, s.seed + 1000);
  const N = trainSet.steps;
  const { model, readout } = copyModel(N, trainSet.inClasses, trainSet.outClasses, c.units, s.seed);
  const x = tf.tensor3d(trainSet.x, [trainSet.samples, N, trainSet.inClasses]);
  const y = tf.tensor3d(trainSet.y, [trainSet.samples, N, trainSet.outClasses]);
  const t0 = Date.now();
  const losses = await train(model, x, y, 'categoricalCrossentropy', c.epochs, s.batchSize, c.learningRate, 'copy');
  const trainSeconds = (Date.now() - t0) / 1000;
  x.dispose();
  y.dispose();
  const xt = tf.tensor3d(test.x, [test.samples, N, test.inClasses]);
  // Model accuracy on the recall window (the last copyLength steps).
  const pred = tf.tidy(() => (model.predict(xt) as tf.Tensor).argMax(-1).dataSync() as Int32Array);
  let right = 0;
  for (let i = 0; i < test.samples; i++) {
    for (let t = N - c.copyLength; t < N; t++) if (pred[i * N + t] === test.targets[i * N + t]) right++;
  }
  const accuracy = right / (test.samples * c.copyLength);
  const report = kann(model, xt, {
    layer: 'lstm',
    readout: (h) => readout.apply(h) as tf.Tensor,
    readoutSteps: 'all',
    epsilon: s.epsilon,
    project: [0, 1, 2, 3, 4, 5, 6, 7],
  });
  xt.dispose();
  model.dispose();
  // decisions are rows (sample, t = 1 … N − 1); agreement on the recall window too
  const d = report.decisions!;
  let same = 0;
  let count = 0;
  for (let i = 0; i < test.samples; i++) {
    for (let t = N - c.copyLength; t < N; t++) {
      const k = i * (N - 1) + (t - 1);
      count++;
      if (d.true[k] === d.kann[k]) same++;
    }
  }
  const recallAgreement = same / count;
  const need = c.delay + c.copyLength;
  const longEnough = report.horizons.filter((t) => t >= need).length;
  const files: string[] = [];
  const mean = meanMagnitudes(report.fit, report.states);
  writeFileSync(join(s.out, 'copy-eigenvalues.svg'), kannEigenSvg(report.eigenvalues, mean, `copy problem: eigenvalues of C (LSTM ${c.units}, rank ${report.fit.rank})`));
  files.push('copy-eigenvalues.svg');
  const tokenLabel = (v: number) => (v === 0 ? '_' : v === c.symbols + 1 ? ':' : String(v));
  const J = report.projections.which.length;
  const groups = [0, 1, 2].filter((i) => i < test.samples).map((i) => ({
    title: `test sequence ${i}`,
    rows: report.projections.which.map((j, q) => ({
      label: `u${j + 1} |λ|=${Math.hypot(report.eigenvalues[j].re, report.eigenvalues[j].im).toFixed(3)}`,
      values: Array.from({ length: N }, (_, t) => report.projections.data[(i * N + t) * J + q]),
    })),
    columns: Array.from({ length: N }, (_, t) => tokenLabel(test.tokens[i * N + t])),
  }));
  writeFileSync(join(s.out, 'copy-projections.svg'), heatmapSvg(groups, 'copy problem: projection magnitudes s(j, hₜ) (eq. 10), each row scaled to its maximum; columns are the input tokens (_ blank, : delimiter)'));
  files.push('copy-projections.svg');
  const notes = [
    `LSTM ${c.units} units, ${c.copyLength} symbols of ${c.symbols}, delay ${c.delay} (${N} steps); ${c.trainSamples} training sequences × ${c.epochs} epochs, Adam lr ${c.learningRate} (${trainSeconds.toFixed(0)} s), final loss ${losses[losses.length - 1].toFixed(4)}; recall accuracy on ${c.testSamples} test sequences ${(100 * accuracy).toFixed(1)} % (chance ${(100 / c.symbols).toFixed(1)} %; the memoryless baseline loss is ${((c.copyLength * Math.log(c.symbols)) / N).toFixed(4)}).`,
    `KANN on the ${c.testSamples} test sequences (${N} steps): rank ${report.fit.rank} of ${report.fit.dim}, e_rel ${report.eRel.toPrecision(3)}, agreement of the per-step read-out ${(100 * report.agreement!).toFixed(2)} % over all predicted steps, ${(100 * recallAgreement).toFixed(2)} % on the recall window.`,
    `The task needs memory over delay + copy length = ${need} steps: ${longEnough} of ${report.fit.rank} eigenvectors have τ(${s.epsilon}) ≥ ${need}; ${report.eigenAbove099} have |λ| > 0.99.`,
    `Leading eigenvalues: ${report.eigenvalues.slice(0, 6).map((l, j) => `${fmtLambda(l)} (τ ${fmtTau(report.horizons[j])})`).join('; ')}.`,
  ];
  return {
    ...common('copy', report, report.agreement!),
    modelScore: { name: 'recall accuracy', value: accuracy },
    trainSeconds,
    finalLoss: losses[losses.length - 1],
    causes: [],
    notes,
    files,
  };
}
