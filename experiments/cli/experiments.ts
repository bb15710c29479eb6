import type { CommandModule } from 'yargs';
import { creditCommand } from '../credit/cli.js';
import { deSolverCommand } from '../de-solver/cli.js';
import { dmdLayerCommand } from '../dmd-layer/cli.js';
import { kannCommand } from '../kann/cli.js';
import { mnistCommand } from '../mnist/cli.js';
import { perceptronCommand } from '../perceptron/cli.js';
import { raceCommand } from '../race/cli.js';
import { sobolevCommand } from '../sobolev/cli.js';
import { spectrumCommand } from '../spectrum/cli.js';

/** Every `tfjs-koopman experiment <name>` command; each experiment folder exports one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const experimentCommands: CommandModule<any, any>[] = [mnistCommand, deSolverCommand, spectrumCommand, dmdLayerCommand, kannCommand, creditCommand, perceptronCommand, sobolevCommand, raceCommand];
