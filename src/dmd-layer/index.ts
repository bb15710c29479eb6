export { fitDelayDmd, minDelayPairs, type DelayDmd, type DelayDmdFitOptions, type DelayPairs, type StateBlock } from './delay-dmd.js';
