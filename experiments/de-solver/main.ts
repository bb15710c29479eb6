/**
 * Stand-alone entry until the command is registered in src/cli/experiments.ts:
 * `npx tsx experiments/de-solver/main.ts de-solver --quick`.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { deSolverCommand } from './cli.js';

yargs(hideBin(process.argv))
  .scriptName('de-solver')
  .command(deSolverCommand)
  .demandCommand(1)
  .strict()
  .help()
  .parseAsync()
  .catch((err: Error) => {
    console.error(`de-solver: ${err.message}`);
    process.exitCode = 1;
  });
