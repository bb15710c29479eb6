import { relative } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { BACKEND_CHOICES, selectBackend } from '../../src/backend/select.js';
import { PAPER_SETTINGS, QUICK_SETTINGS, type PerceptronSettings } from './settings.js';
import { runPerceptronStudy } from './study.js';

export interface PerceptronArgs {
  simulations?: number;
  steps?: number;
  horizon?: number;
  every?: number;
  'window-end'?: number;
  seed?: number;
  variants?: boolean;
  quick: boolean;
  out: string;
  backend: string;
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be an integer ≥ 1; got ${v}`);
  return v;
}

/** Settings from flags: the paper's, then --quick, then every flag given. `--every 0` means one jump. */
export function perceptronSettings(a: Partial<PerceptronArgs>): PerceptronSettings {
  const s: PerceptronSettings = { ...PAPER_SETTINGS, ...(a.quick ? QUICK_SETTINGS : {}) };
  if (a.simulations !== undefined) s.simulations = positiveInt('simulations', a.simulations);
  if (a.steps !== undefined) s.steps = positiveInt('steps', a.steps);
  if (a.horizon !== undefined) s.horizon = positiveInt('horizon', a.horizon);
  if (a['window-end'] !== undefined) s.windowEnd = positiveInt('window-end', a['window-end']);
  if (a.every !== undefined) s.every = a.every === 0 ? null : positiveInt('every', a.every);
  if (a.seed !== undefined) s.seed = Math.trunc(a.seed);
  if (a.variants === false) s.variants = [];
  if (s.windowEnd >= s.steps) throw new Error(`--window-end (${s.windowEnd}) must be below --steps (${s.steps})`);
  return s;
}

function commandLine(argv: string[] = process.argv): string {
  const script = argv[1] ?? '';
  const rest = argv.slice(2).join(' ');
  return script.endsWith('.ts') ? `npx tsx ${relative(process.cwd(), script)} ${rest}`.trim() : `tfjs-koopman ${rest}`.trim();
}

/** `tfjs-koopman experiment perceptron`: seed 004 Sec. S8 — single-weight, node and layer Koopman training of a perceptron vs the plain rule. */
export const perceptronCommand: CommandModule<object, PerceptronArgs> = {
  command: 'perceptron',
  describe: 'Seed 004 Sec. S8: Koopman training (single-weight, node, layer operators) of a 4-2 step perceptron vs the plain perceptron rule',
  builder: (y: Argv<object>) =>
    y
      .option('simulations', { type: 'number', describe: `simulations per method [default: ${PAPER_SETTINGS.simulations}; quick ${QUICK_SETTINGS.simulations}]` })
      .option('steps', { type: 'number', describe: `perceptron-rule steps [default: ${PAPER_SETTINGS.steps}; quick ${QUICK_SETTINGS.steps}]` })
      .option('window-end', { type: 'number', describe: `t2: steps recorded before the first jump [default: ${PAPER_SETTINGS.windowEnd}]` })
      .option('horizon', { type: 'number', describe: 'steps each jump skips ahead [default: the rest of the run, steps − t2]' })
      .option('every', { type: 'number', describe: 'jump again every this many steps; 0 = one jump [default: one jump]' })
      .option('variants', { type: 'boolean', describe: 'also run the other Koopman schedules (variants.csv) [default: yes; not with --quick]' })
      .option('seed', { type: 'number', describe: `random seed [default: ${PAPER_SETTINGS.seed}]` })
      .option('quick', { type: 'boolean', default: false, describe: 'small, fast run (40 simulations of 400 steps)' })
      .option('out', { type: 'string', default: 'results/perceptron', describe: 'output folder' })
      .option('backend', { choices: [...BACKEND_CHOICES], default: 'auto', describe: 'tfjs backend' }) as unknown as Argv<PerceptronArgs>,
  handler: async (a) => {
    const s = perceptronSettings(a);
    await selectBackend(a.backend);
    const { summaryPath } = await runPerceptronStudy(s, a.out, commandLine(), a.quick);
    console.log(`perceptron study written to ${a.out} (summary: ${summaryPath})`);
  },
};
