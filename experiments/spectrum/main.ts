/**
 * Stand-alone entry of the spectrum study until it is registered in src/cli:
 * `npx tsx experiments/spectrum/main.ts spectrum --quick`.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { spectrumCommand } from './cli.js';

yargs(hideBin(process.argv))
  .scriptName('spectrum-study')
  .command(spectrumCommand)
  .demandCommand(1, 'name the command: spectrum')
  .strict()
  .help()
  .parseAsync()
  .catch((err: Error) => {
    console.error(`spectrum study: ${err.message}`);
    process.exitCode = 1;
  });
