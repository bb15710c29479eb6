import type { Argv, CommandModule } from 'yargs';
import { BACKEND_CHOICES, selectBackend } from '../../src/backend/select.js';
import { KNOWN_METHODS } from './entrants.js';
import { shadowObservers } from './explore.js';
import { mergeRaceFolders } from './merge.js';
import { runRace } from './race.js';
import { QUICK_RACE, RACE_DEFAULTS, type RaceSettings } from './settings.js';
import { WORKLOADS, type WorkloadName } from './workloads.js';

interface RaceArgs {
  seeds?: number;
  'seed-offset'?: number;
  workloads?: string;
  optimizers?: string;
  methods?: string;
  epochs?: number;
  'de-blocks'?: number;
  quick: boolean;
  out?: string;
  train?: number;
  validation?: number;
  guard?: number;
  'ema-decay'?: number;
  'merge-from'?: string;
  explore?: boolean;
  parts?: string;
  backend: string;
}

const list = (v: string | undefined) => (v === undefined ? undefined : v.split(',').map((x) => x.trim()).filter(Boolean));

/** The settings of a CLI call: the defaults, scaled down by --quick, overridden by explicit flags. */
export function raceSettings(a: Partial<RaceArgs>): RaceSettings {
  const base: RaceSettings = { ...RACE_DEFAULTS, ...(a.quick ? QUICK_RACE : {}) };
  const workloads = (list(a.workloads) ?? base.workloads) as WorkloadName[];
  for (const w of workloads) if (!(WORKLOADS as readonly string[]).includes(w)) throw new Error(`--workloads: unknown workload '${w}'; known: ${WORKLOADS.join(', ')}`);
  const methods = list(a.methods) ?? (a.explore ? ['plain', ...shadowObservers()] : base.methods);
  for (const m of methods) if (!KNOWN_METHODS.includes(m)) throw new Error(`--methods: unknown method '${m}'; known: ${KNOWN_METHODS.join(', ')}`);
  const s: RaceSettings = {
    ...base,
    seeds: a.seeds ?? base.seeds,
    seedOffset: a['seed-offset'] ?? base.seedOffset,
    workloads,
    optimizers: list(a.optimizers) ?? base.optimizers,
    methods,
    fashionEpochs: a.epochs ?? base.fashionEpochs,
    deBlocks: a['de-blocks'] ?? base.deBlocks,
    sizes: { ...base.sizes, train: a.train ?? base.sizes.train, validation: a.validation ?? base.sizes.validation, guard: a.guard ?? base.sizes.guard },
    fashionEmaDecay: a['ema-decay'] ?? base.fashionEmaDecay,
    out: a.out ?? base.out,
    explore: a.explore ?? base.explore,
  };
  if (s.explore) {
    const allowed = new Set(['plain', ...shadowObservers()]);
    for (const m of s.methods) if (!allowed.has(m)) throw new Error(`--explore runs observers that never change training; '${m}' does (allowed: ${[...allowed].join(', ')})`);
  }
  if (!Number.isInteger(s.seeds) || s.seeds < 1) throw new Error(`--seeds must be an integer ≥ 1; got ${s.seeds}`);
  for (const [k, v] of Object.entries({ epochs: s.fashionEpochs, 'de-blocks': s.deBlocks })) {
    if (!Number.isInteger(v) || v < 3) throw new Error(`--${k} must be an integer ≥ 3 (the target averages the last 3 evaluations); got ${v}`);
  }
  return s;
}

export const raceCommand: CommandModule<object, RaceArgs> = {
  command: 'race',
  describe: 'Wall time to plain training\'s final loss: plain, EMA, LAWA, Lookahead and Koopman policies (issue 13)',
  builder: (y: Argv<object>) =>
    y
      .option('seeds', { type: 'number', describe: 'seeds per workload × optimizer (default 5; 1 with --quick)' })
      .option('seed-offset', { type: 'number', describe: 'first seed (default 0)' })
      .option('workloads', { type: 'string', describe: `comma-separated: ${WORKLOADS.join(', ')} (fashion-cnn: seed 003's CNN, adam only, ≈ 50× a Fashion-MLP step; never in --quick)` })
      .option('optimizers', { type: 'string', describe: 'comma-separated optimizers to run (default: each workload\'s three)' })
      .option('methods', { type: 'string', describe: `comma-separated: ${KNOWN_METHODS.join(', ')}` })
      .option('epochs', { type: 'number', describe: 'Fashion-MNIST epochs (default 12)' })
      .option('de-blocks', { type: 'number', describe: 'DE solver: blocks of 300 steps (default 20)' })
      .option('train', { type: 'number', describe: 'Fashion-MNIST training images (default 12000)' })
      .option('validation', { type: 'number', describe: 'Fashion-MNIST scored validation images (default 5000)' })
      .option('guard', { type: 'number', describe: 'Fashion-MNIST guard images (default 1000)' })
      .option('ema-decay', { type: 'number', describe: 'EMA decay per step on Fashion-MNIST (default 0.995)' })
      .option('explore', { type: 'boolean', describe: 'policy exploration: one plain run per seed watched by every listed observer (ema, lawa, shadow policies)' })
      .option('merge-from', { type: 'string', describe: 'comma-separated output folders whose runs.csv are merged into --out (no training)' })
      .option('parts', { type: 'string', describe: 'with --merge-from: the schedule of each folder, separated by ";" (written into summary.md)' })
      .option('quick', { type: 'boolean', default: false, describe: 'scaled-down run (well under a minute)' })
      .option('out', { type: 'string', describe: 'output folder (default results/race)' })
      .option('backend', { choices: [...BACKEND_CHOICES], default: 'auto', describe: 'tfjs backend' }) as unknown as Argv<RaceArgs>,
  handler: async (a) => {
    const s = raceSettings(a);
    const command = `npx tfjs-koopman ${process.argv.slice(2).join(' ')}`;
    if (a['merge-from']) {
      const rows = mergeRaceFolders(list(a['merge-from'])!, s, command, a.backend, a.parts ? a.parts.split(';').map((x) => x.trim()) : []);
      console.log(`merged ${rows.length} runs into ${s.out}`);
      return;
    }
    const b = await selectBackend(a.backend);
    const rows = await runRace(s, command, b.name, (line) => console.log(line));
    console.log(`${rows.length} runs; wrote ${s.out}/runs.csv, summary.csv, summary.md and SVGs`);
  },
};
