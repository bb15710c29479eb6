import { KoopmanTraining } from './callback.js';
import type { KoopmanTrainingArgs } from './options.js';

/** Koopman training callback for `model.fit()` or a custom loop; see {@link KoopmanTrainingArgs}. */
export function koopmanTraining(args: KoopmanTrainingArgs): KoopmanTraining {
  return new KoopmanTraining(args);
}

export { KoopmanTraining } from './callback.js';
export { PLUGIN_DEFAULTS, PLUGIN_FIT_DEFAULTS, defaultCandidates, type GuardSpec, type KoopmanTrainingArgs, type StepUnit, type WindowSpec } from './options.js';
export { resetOptimizerState } from './optimizer-state.js';
export { describeJump, type CandidateResult, type JumpRecord, type KoopmanReport } from './report.js';
