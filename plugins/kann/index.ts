export { kann, analyseStates, type KannReport } from './kann.js';
export { KANN_DEFAULTS, resolveKannArgs, type DecideFn, type KannArgs, type ResolvedKannArgs } from './options.js';
export { collectHiddenStates, findSequenceLayer } from './collect.js';
export { LastStep, lastStep } from './last-step.js';
