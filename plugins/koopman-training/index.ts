import { KoopmanTraining } from './callback.js';
import type { KoopmanTrainingArgs } from './options.js';

/** Koopman training callback for `model.fit()` or a custom loop; see {@link KoopmanTrainingArgs}. */
export function koopmanTraining(args: KoopmanTrainingArgs): KoopmanTraining {
  return new KoopmanTraining(args);
}

export { KoopmanTraining } from './callback.js';
export {
  AUTO_SCHEDULE,
  GUARD_DEFAULTS,
  KOOPMAN_TRAINING_DEFAULTS,
  defaultCandidates,
  resolveKoopmanTrainingArgs,
  type GuardSpec,
  type KoopmanTrainingArgs,
  type ResolvedGuard,
  type ResolvedKoopmanTrainingArgs,
  type StepUnit,
  type WindowSpec,
} from './options.js';
export { describeJump, type CandidateResult, type JumpRecord, type KoopmanReport, type ScheduleRecord } from './report.js';
export type { KoopmanTrainingState } from './state.js';
