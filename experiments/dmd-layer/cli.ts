import type { Argv, CommandModule } from 'yargs';
import { BACKEND_CHOICES, selectBackend } from '../../src/backend/select.js';
import { validateRankRule } from '../../src/linalg/rank.js';
import { resummariseDmdLayer, runDmdLayerExperiment } from './experiment.js';
import { PAPER_SETTINGS, QUICK_SETTINGS, type DmdLayerDataset, type DmdLayerSettings } from './settings.js';

interface DmdLayerArgs {
  seeds?: number;
  'seed-offset'?: number;
  datasets?: string[];
  ranks?: number[];
  'max-delays'?: number;
  quick?: boolean;
  summarise?: boolean;
  out?: string;
  backend: string;
}

/** Settings from CLI flags: the reference settings, scaled down by --quick, overridden by explicit flags. */
export function dmdLayerSettings(a: Partial<DmdLayerArgs>): DmdLayerSettings {
  const base = { ...PAPER_SETTINGS, ...(a.quick ? QUICK_SETTINGS : {}) };
  const datasets = (a.datasets ?? base.datasets) as DmdLayerDataset[];
  for (const d of datasets) if (d !== 'yin-yang' && d !== 'mnist') throw new Error(`--datasets: unknown data set '${d}' (expected yin-yang, mnist)`);
  const s: DmdLayerSettings = {
    ...base,
    datasets,
    seeds: a.seeds ?? base.seeds,
    seedOffset: a['seed-offset'] ?? base.seedOffset,
    ranks: a.ranks ?? base.ranks,
    maxDelays: a['max-delays'] ?? base.maxDelays,
    out: a.out ?? 'results/dmd-layer',
    quick: Boolean(a.quick),
  };
  for (const [k, v] of Object.entries({ seeds: s.seeds, 'max-delays': s.maxDelays })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be an integer ≥ 1; got ${v}`);
  }
  s.ranks.forEach((r) => validateRankRule(r, '--ranks'));
  return s;
}

export const dmdLayerCommand: CommandModule<object, DmdLayerArgs> = {
  command: 'dmd-layer',
  describe: 'Seed 002: replace each hidden layer of a Yin-Yang and an MNIST MLP by a DMD linear operator with delay coordinates',
  builder: (y: Argv<object>) =>
    y
      .option('seeds', { type: 'number', describe: 'networks per data set (default 3; 1 with --quick)' })
      .option('seed-offset', { type: 'number', describe: 'first seed (default 0)' })
      .option('datasets', { type: 'array', string: true, describe: 'yin-yang and/or mnist (default both)' })
      .option('ranks', { type: 'array', number: true, describe: 'rank rules tried (PyDMD convention; default -1 0 0.999 0.99)' })
      .option('max-delays', { type: 'number', describe: 'largest number of delays tried (default 3)' })
      .option('quick', { type: 'boolean', default: false, describe: 'scaled-down run (seconds; not a result)' })
      .option('summarise', { type: 'boolean', default: false, describe: 'rebuild the summary files from --out/runs.csv (no training)' })
      .option('out', { type: 'string', default: 'results/dmd-layer', describe: 'output folder' })
      .option('backend', { choices: [...BACKEND_CHOICES], default: 'auto', describe: 'tfjs backend' }) as unknown as Argv<DmdLayerArgs>,
  handler: async (a) => {
    const s = dmdLayerSettings(a);
    const b = await selectBackend(a.backend);
    const command = `npx tfjs-koopman ${process.argv.slice(2).join(' ')}`;
    if (a.summarise) {
      console.log(`wrote ${resummariseDmdLayer(s, command, b.name).join(', ')}`);
      return;
    }
    const out = runDmdLayerExperiment(s, command, b.name, (line) => console.log(line));
    console.log(`wrote ${out.files.join(', ')}`);
  },
};
