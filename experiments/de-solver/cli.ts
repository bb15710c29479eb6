import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { BACKEND_CHOICES } from '../../src/backend/index.js';
import { DE_SOLVER_DEFAULTS, runDeSolver } from './experiment.js';
import { BEST_PRESETS, type BestPreset } from '../shared/de-solver/config.js';
import { OPTIMIZERS, type OptimizerName } from '../shared/de-solver/optimizers.js';

interface DeSolverArgs {
  optimizer: OptimizerName | 'all';
  seeds?: number;
  'seed-offset': number;
  steps?: number;
  t1?: number;
  t2?: number;
  horizon?: number;
  quick: boolean;
  out: string;
  backend: string;
  jobs: number;
  best: BestPreset;
  'report-only': boolean;
  'merge-from'?: string;
}

/** `tfjs-koopman experiment de-solver`: seed 004's NN differential-equation solver (Sec. 4, Table 1). */
export const deSolverCommand: CommandModule<object, DeSolverArgs> = {
  command: 'de-solver',
  describe: "Koopman training of the Hamiltonian NN solver of the nonlinear oscillator (seed 004, Table 1): paper recipe vs guarded 'best'",
  builder: (y: Argv<object>) =>
    y
      .option('optimizer', { choices: [...OPTIMIZERS, 'all'] as const, default: DE_SOLVER_DEFAULTS.optimizer, describe: 'optimizer(s) to run' })
      .option('seeds', { type: 'number', describe: 'initialisations per optimizer (default 25, 2 with --quick)' })
      .option('seed-offset', { type: 'number', default: DE_SOLVER_DEFAULTS.seedOffset, describe: 'first seed (to append seeds to an out dir across sessions)' })
      .option('steps', { type: 'number', describe: 'optimizer steps per run (default 60000, 1200 with --quick)' })
      .option('t1', { type: 'number', describe: 'start of the paper window (default 35000)' })
      .option('t2', { type: 'number', describe: 'end of the paper window, where it jumps (default 45000)' })
      .option('horizon', { type: 'number', describe: 'T, steps jumped (default 2500)' })
      .option('quick', { type: 'boolean', default: false, describe: 'the paper schedule scaled by 1/50 and 2 seeds (under two minutes)' })
      .option('out', { type: 'string', default: DE_SOLVER_DEFAULTS.out, describe: 'output folder (runs.csv is merged by optimizer+config+seed)' })
      .option('backend', { choices: [...BACKEND_CHOICES] as string[], default: DE_SOLVER_DEFAULTS.backend, describe: 'tfjs backend' })
      .option('jobs', { type: 'number', default: DE_SOLVER_DEFAULTS.jobs, describe: 'parallel worker processes' })
      .option('best', { choices: Object.keys(BEST_PRESETS) as BestPreset[], default: DE_SOLVER_DEFAULTS.best, describe: "'best' configuration: reach (guard keeps the lowest loss) or agree (only horizons where whole- and half-window fits agree)" })
      .option('report-only', { type: 'boolean', default: false, describe: 'run nothing; rewrite summary.csv, summary.md and plots from --out' })
      .option('merge-from', { type: 'string', describe: 'run nothing; merge the runs of another out dir (same schedule and settings) into --out and rewrite the report' }) as unknown as Argv<DeSolverArgs>,
  handler: async (a: ArgumentsCamelCase<DeSolverArgs>) => {
    await runDeSolver({
      optimizer: a.optimizer,
      seeds: a.seeds,
      seedOffset: a['seed-offset'],
      steps: a.steps,
      t1: a.t1,
      t2: a.t2,
      horizon: a.horizon,
      quick: a.quick,
      out: a.out,
      backend: a.backend,
      jobs: a.jobs,
      best: a.best,
      reportOnly: a['report-only'],
      mergeFrom: a['merge-from'],
    });
  },
};
