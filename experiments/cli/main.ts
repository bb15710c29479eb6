import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { demoCommand } from '../demo/cli.js';
import { experimentCommands } from './experiments.js';

/** The `tfjs-koopman` command line. */
export async function main(argv: string[] = hideBin(process.argv)): Promise<void> {
  await yargs(argv)
    .scriptName('tfjs-koopman')
    .usage('$0 <command> [options]')
    .command(demoCommand)
    .command(
      'experiment',
      'Run a reproduced experiment (writes CSV, a Markdown summary and SVG plots)',
      (y) => {
        for (const c of experimentCommands) y.command(c);
        return y.demandCommand(1, 'name an experiment: ' + experimentCommands.map((c) => c.command).join(', '));
      },
      () => undefined,
    )
    .demandCommand(1, 'name a command')
    .strict()
    .help()
    .alias('h', 'help')
    .parseAsync();
}
