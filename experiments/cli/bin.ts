#!/usr/bin/env node
import { main } from './main.js';

main().catch((err: Error) => {
  console.error(`tfjs-koopman: ${err.message}`);
  process.exitCode = 1;
});
