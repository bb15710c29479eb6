/** The MNIST experiment (seed 004, Table 2): plain, paper-recipe and best runs per seed, their measures, summary and plots. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../shared/data/dataset.js';
import { prepareTensors, type MnistTensors } from '../shared/data/split.js';
import { ProgressBar } from '../shared/report/progress.js';
import { svgPlot } from '../shared/report/svg.js';
import { TRACED_NAMES, TRACED_WEIGHTS, fineGrid, measure, type MnistSummary, type RunRow } from './measure.js';
import { runMnist, type RunResult } from '../shared/mnist/run.js';
import { bestConfig, paperConfig, type MnistSettings } from '../shared/mnist/settings.js';
import { readRuns, storeMnistRuns } from './store.js';
import { writeTables } from './summary.js';

export interface ExperimentOutput {
  rows: RunRow[];
  summary: MnistSummary[];
  files: string[];
}

/** Runs plain, paper and best trainings for every seed and writes CSV, Markdown and SVG to `s.out`. */
export async function runMnistExperiment(s: MnistSettings, command: string, backend: string): Promise<ExperimentOutput> {
  readRuns(join(s.out, 'runs.json'), s); // refuse to mix settings before spending any time
  const ds = loadDataset({ dataset: s.dataset, dataDir: s.dataDir, seed: 0 });
  const data: MnistTensors = prepareTensors(ds, s.stepsPerEpoch, s.batchSize, s.valSize, 0);
  const rows: RunRow[] = [];
  const curves: { seed: number; plain: RunResult; paper: RunResult; best: RunResult }[] = [];
  const bar = new ProgressBar(s.seeds * 3 * s.epochs, `mnist ${s.seeds} seeds × 3 runs`);
  const settings = {
    epochs: s.epochs,
    stepsPerEpoch: s.stepsPerEpoch,
    batchSize: s.batchSize,
    gamma: s.gamma,
    keepWeightsAt: [s.t2, s.t2 + s.horizon],
    fineSteps: fineGrid(s),
    trace: { indices: TRACED_WEIGHTS, from: s.t1 * s.stepsPerEpoch, to: (s.t2 + s.horizon) * s.stepsPerEpoch },
  };
  try {
    for (let i = 0; i < s.seeds; i++) {
      const seed = s.seedOffset + i;
      const tick = (label: string) => () => bar.tick(1, `seed ${seed} ${label}`);
      const plain = await runMnist(data, seed, settings, undefined, tick('plain'));
      const paper = await runMnist(data, seed, settings, paperConfig(s), tick('paper'));
      const best = await runMnist(data, seed, settings, bestConfig(s, [data.xVal, data.yVal]), tick('best'));
      rows.push(measure(seed, 'paper', s, plain, paper), measure(seed, 'best', s, plain, best));
      if (curves.length < 3) curves.push({ seed, plain, paper, best });
    }
  } finally {
    data.dispose();
  }
  bar.finish();
  mkdirSync(s.out, { recursive: true });
  // Merge with earlier invocations into the same folder (seeds appended across sessions).
  const merged = storeMnistRuns(join(s.out, 'runs.json'), rows, command, s);
  const { summary, files } = writeTables(s, merged, backend, ds.source, ds.trainLabels.length);
  const put = (name: string, text: string) => {
    writeFileSync(join(s.out, name), text);
    files.push(join(s.out, name));
  };
  const c = curves[0];
  if (c) {
    const epochs = c.plain.testLoss.map((_, e) => e);
    put(
      'test-loss.svg',
      svgPlot(
        [
          { name: 'Adadelta (plain)', x: epochs, y: c.plain.testLoss },
          { name: 'paper recipe', x: epochs, y: c.paper.testLoss },
          { name: 'best config', x: epochs, y: c.best.testLoss },
        ],
        {
          title: `MNIST test loss per epoch (seed ${c.seed})`,
          xLabel: 'epoch',
          yLabel: 'test loss',
          logY: true,
          markers: [{ x: s.t2, label: 'jump (t2)' }],
        },
      ),
    );
  }
  if (c) {
    const colors = ['#1f77b4', '#d62728', '#2ca02c'];
    const series = TRACED_WEIGHTS.slice(0, 3).flatMap((i, k) => {
      const p = c.plain.trace.get(i);
      const ko = c.paper.trace.get(i);
      return [
        ...(p ? [{ name: `${TRACED_NAMES[k]} Adadelta`, x: p.steps, y: p.values, color: colors[k] }] : []),
        ...(ko ? [{ name: `${TRACED_NAMES[k]} Koopman`, x: ko.steps, y: ko.values, color: colors[k], style: 'points' as const }] : []),
      ];
    });
    put(
      'weights.svg',
      svgPlot(series, {
        title: `Weights: Adadelta vs the paper recipe's Koopman extrapolation from t2 (seed ${c.seed}, Fig. 3b)`,
        xLabel: 'optimizer step',
        yLabel: 'weight',
        width: 760,
        markers: [{ x: s.t2 * s.stepsPerEpoch, label: 't2' }],
      }),
    );
  }
  return { rows: merged.rows, summary, files };
}

/**
 * `--merge-from DIR`: adds the runs of another output folder (made with the same settings, e.g. by
 * a second process on other seeds) to `s.out` and rewrites its tables and summary, without training.
 */
export function mergeMnistFolders(s: MnistSettings, from: string, backend: string): ExperimentOutput {
  const other = readRuns(join(from, 'runs.json'), s).old;
  if (!other.rows.length) throw new Error(`${join(from, 'runs.json')} holds no runs to merge`);
  let merged: { rows: RunRow[]; commands: string[] } = { rows: [], commands: [] };
  for (const c of other.commands.length ? other.commands : ['(merged)']) merged = storeMnistRuns(join(s.out, 'runs.json'), other.rows, c, s);
  const ds = loadDataset({ dataset: s.dataset, dataDir: s.dataDir, seed: 0 });
  const { summary, files } = writeTables(s, merged, backend, ds.source, ds.trainLabels.length);
  return { rows: merged.rows, summary, files };
}
