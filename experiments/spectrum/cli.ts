import { relative } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { BACKEND_CHOICES } from '../../src/backend/select.js';
import { BAD_INITS, GOOD_INITS, STUDY_MODELS, type GoodInit, type Init, type StudyModel } from './model.js';
import { addStudyRuns } from './add-runs.js';
import { selectBackend } from '../../src/backend/index.js';
import { STUDY_OPTIMIZERS, type StudyOptimizer } from './record.js';
import { QUICK_SETTINGS, STUDY_DEFAULTS, type SpectrumStudySettings } from './settings.js';
import { rewriteStudyReport } from './reload.js';
import { runSpectrumStudy } from './study.js';

export interface SpectrumCommandArgs {
  init: GoodInit | 'all';
  model: StudyModel[];
  seeds?: number;
  epochs?: number;
  'epoch-size'?: number;
  'seed-offset'?: number;
  bad: boolean;
  optimizer: StudyOptimizer;
  quick: boolean;
  out: string;
  backend: string;
  'report-only'?: boolean;
  'add-runs'?: Init[];
}

/**
 * Settings from the command line: the study defaults, then the quick preset when `--quick`, then
 * every flag the user gave. The monitor's minEpochs is lowered when the budget is so short that
 * restarts could not come within the first `restartFraction` of it, and its forecastEpochs (unless
 * set) is the budget left after that window: a run is restarted when the Koopman forecast says it
 * will still be above `target` at the end of the budget.
 */
export function settingsFromArgs(a: Omit<SpectrumCommandArgs, 'model'> & { model?: StudyModel[] }): SpectrumStudySettings {
  const s: SpectrumStudySettings = { ...STUDY_DEFAULTS, ...(a.quick ? QUICK_SETTINGS : {}), out: a.out, backend: a.backend, quick: a.quick };
  s.inits = a.init === 'all' ? [...GOOD_INITS] : [a.init];
  if (a.model && a.model.length) s.models = [...new Set(a.model)];
  if (a.seeds !== undefined) s.seeds = positiveInt('seeds', a.seeds);
  if (a.epochs !== undefined) s.epochs = positiveInt('epochs', a.epochs);
  if (a['epoch-size'] !== undefined) s.epochSize = positiveInt('epoch-size', a['epoch-size']);
  if (a['seed-offset'] !== undefined) s.seedOffset = Math.trunc(a['seed-offset']);
  s.bad = a.bad;
  s.optimizer = a.optimizer;
  const cutoff = Math.floor(s.restartFraction * s.epochs);
  // The forecast restart looks as far ahead as the budget left after the restart window.
  const horizon = Math.max(1, s.epochs - cutoff);
  const fit = (m: SpectrumStudySettings['monitor']) => {
    const withHorizon = m.forecastEpochs === undefined ? { ...m, forecastEpochs: horizon } : m;
    return (m.minEpochs ?? 20) > cutoff - 2 ? { ...withHorizon, minEpochs: Math.max(1, cutoff - 2) } : withHorizon;
  };
  s.monitor = fit(s.monitor);
  s.alternatives = Object.fromEntries(Object.entries(s.alternatives).map(([k, m]) => [k, fit(m)]));
  return s;
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be an integer ≥ 1; got ${v}`);
  return v;
}

/** The command line as typed (for summary.md). */
export function commandLine(argv: string[] = process.argv): string {
  const script = argv[1] ?? '';
  const rest = argv.slice(2).join(' ');
  return script.endsWith('.ts') ? `npx tsx ${relative(process.cwd(), script)} ${rest}`.trim() : `tfjs-koopman ${rest}`.trim();
}

/** `tfjs-koopman experiment spectrum`: seed 003's spectrum study (Fig. 2) and the monitor's decision quality. */
export const spectrumCommand: CommandModule<object, SpectrumCommandArgs> = {
  command: 'spectrum',
  describe: 'Koopman spectrum of training (seed 003, Fig. 2) and stop/restart decision quality of the spectrum monitor vs earlyStopping',
  builder: (y: Argv<object>) =>
    y
      .option('init', { choices: [...GOOD_INITS, 'all'] as const, default: 'all' as const, describe: 'good initialisation(s) to study' })
      .option('model', {
        type: 'array',
        choices: [...STUDY_MODELS],
        describe: `network(s): mlp (784-20-20-20-10), wide (784-100-10), cnn (seed 003's, needs tfjs-node) [default: ${STUDY_DEFAULTS.models.join(' ')}]`,
      })
      .option('seeds', { type: 'number', describe: `initialisations per network and init [default: ${STUDY_DEFAULTS.seeds}; quick ${QUICK_SETTINGS.seeds}]` })
      .option('epochs', { type: 'number', describe: `epoch budget of a run [default: ${STUDY_DEFAULTS.epochs}; quick ${QUICK_SETTINGS.epochs}]` })
      .option('epoch-size', { type: 'number', describe: `training samples per epoch [default: ${STUDY_DEFAULTS.epochSize}; quick ${QUICK_SETTINGS.epochSize}]` })
      .option('seed-offset', { type: 'number', describe: `first seed [default: ${STUDY_DEFAULTS.seedOffset}]` })
      .option('bad', { type: 'boolean', default: true, describe: 'also run the bad initialisations of the restart study (--no-bad to skip)' })
      .option('optimizer', { choices: [...STUDY_OPTIMIZERS], default: STUDY_DEFAULTS.optimizer, describe: 'optimizer (lr 1e-3 as in seed 003)' })
      .option('quick', { type: 'boolean', default: false, describe: 'small, fast run (MLP, one seed, 40 short epochs): under two minutes' })
      .option('out', { type: 'string', default: 'results/spectrum', describe: 'output folder' })
      .option('report-only', { type: 'boolean', default: false, describe: 'replay the stopping methods on the losses recorded in --out (same flags as the study) and rewrite decisions and summaries, without training' })
      .option('add-runs', {
        type: 'array',
        choices: [...GOOD_INITS, ...BAD_INITS],
        describe: 'train runs of these initialisations (every network and seed of the flags) into the finished study in --out, then replay every method as --report-only does',
      })
      .option('backend', { choices: [...BACKEND_CHOICES], default: 'auto', describe: 'tfjs backend (auto: tfjs-node, else wasm, else cpu)' }) as unknown as Argv<SpectrumCommandArgs>,
  handler: async (argv: ArgumentsCamelCase<SpectrumCommandArgs>) => {
    const s = settingsFromArgs(argv);
    const add = argv['add-runs'] ?? [];
    if (add.length) {
      await selectBackend(s.backend);
      const bad = add.filter((i) => (BAD_INITS as readonly string[]).includes(i));
      const good = add.filter((i) => !(BAD_INITS as readonly string[]).includes(i));
      if (bad.length) await addStudyRuns(s, bad, true);
      if (good.length) await addStudyRuns(s, good, false);
      console.log(`decisions replayed and summary rewritten: ${await rewriteStudyReport(s)}`);
      return;
    }
    if (argv['report-only']) {
      console.log(`decisions replayed and summary rewritten: ${await rewriteStudyReport(s)}`);
      return;
    }
    const { summaryPath } = await runSpectrumStudy(s, commandLine());
    console.log(`spectrum study written to ${s.out} (summary: ${summaryPath})`);
  },
};
