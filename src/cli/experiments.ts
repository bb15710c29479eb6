import type { CommandModule } from 'yargs';
import { deSolverCommand } from '../../experiments/de-solver/cli.js';
import { mnistCommand } from '../../experiments/mnist/cli.js';
import { raceCommand } from '../../experiments/race/cli.js';
import { spectrumCommand } from '../../experiments/spectrum/cli.js';

/** Every `tfjs-koopman experiment <name>` command; each experiment folder exports one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const experimentCommands: CommandModule<any, any>[] = [mnistCommand, deSolverCommand, spectrumCommand, raceCommand];
