import type { CommandModule } from 'yargs';
import { deSolverCommand } from '../../experiments/de-solver/cli.js';
import { mnistCommand } from '../../experiments/mnist/cli.js';
import { perceptronCommand } from '../../experiments/perceptron/cli.js';
import { sobolevCommand } from '../../experiments/sobolev/cli.js';
import { spectrumCommand } from '../../experiments/spectrum/cli.js';

/** Every `tfjs-koopman experiment <name>` command; each experiment folder exports one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const experimentCommands: CommandModule<any, any>[] = [mnistCommand, deSolverCommand, spectrumCommand, perceptronCommand, sobolevCommand];
