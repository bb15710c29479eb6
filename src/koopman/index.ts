export { fitKoopman, fitRows, type Snapshots } from './fit.js';
export { fitRecorded, type BatchFit } from './batch.js';
export { KoopmanOperator, EIGENBASIS_CONDITION_LIMIT, type OperatorParts } from './operator.js';
export { DEFAULT_FIT_OPTIONS, MIN_TOL, minSnapshots, resolveFitOptions, type FitOptions, type ResolvedFitOptions } from './options.js';
export { predictionDisagreement } from './agreement.js';
