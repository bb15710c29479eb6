import type { CommandModule } from 'yargs';

/** Every `tfjs-koopman experiment <name>` command; each experiment folder exports one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const experimentCommands: CommandModule<any, any>[] = [];
