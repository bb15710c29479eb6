import type { CommandModule } from 'yargs';
import { mnistCommand } from '../../experiments/mnist/cli.js';

/** Every `tfjs-koopman experiment <name>` command; each experiment folder exports one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const experimentCommands: CommandModule<any, any>[] = [mnistCommand];
