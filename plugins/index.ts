/**
 * tfjs-koopman: the public API, written out by name. It loads no `node:` module, CLI package or
 * backend by itself (a bundler can take it to the browser); the experiments and their tooling are
 * reached through the `tfjs-koopman` command.
 */

// Koopman training: skip optimizer steps by extrapolating the weight trajectory.
export {
  AUTO_SCHEDULE,
  GUARD_DEFAULTS,
  KOOPMAN_TRAINING_DEFAULTS,
  KoopmanTraining,
  defaultCandidates,
  describeJump,
  koopmanTraining,
  resolveKoopmanTrainingArgs,
  type CandidateResult,
  type GuardSpec,
  type JumpRecord,
  type KoopmanReport,
  type KoopmanTrainingArgs,
  type KoopmanTrainingState,
  type ResolvedGuard,
  type ResolvedKoopmanTrainingArgs,
  type ScheduleRecord,
  type StepUnit,
  type WindowSpec,
} from './koopman-training/index.js';

// Spectrum monitor: stop / restart from the Koopman spectrum (an earlyStopping replacement).
export {
  EIGENVALUE_SVG_DEFAULTS,
  SPECTRUM_MONITOR_DEFAULTS,
  SpectrumMonitor,
  eigenvalueSvg,
  resolveSpectrumMonitorArgs,
  spectrumMonitor,
  type Action,
  type Decision,
  type DecisionRule,
  type EigenvalueSvgOptions,
  type EpochLogs,
  type MonitorMode,
  type Observable,
  type PlottableSpectrum,
  type SpectralRules,
  type SpectrumMonitorArgs,
  type SpectrumMonitorState,
  type WindowKind,
} from './spectrum-monitor/index.js';

// The engine: fitted operators and the spectra of training.
export { DEFAULT_FIT_OPTIONS, type FitOptions } from '../src/koopman/options.js';
export { fitKoopman, type Snapshots } from '../src/koopman/fit.js';
export { KoopmanOperator } from '../src/koopman/operator.js';
export { fitWindow, type WeightsAt, type WindowFit, type WindowSource } from '../src/koopman/window.js';
export { FitPool } from '../src/koopman/pool.js';
export { PAIRS_DEFAULTS, fitPairs, pairsOperator, type PairsFit, type PairsOptions, type SampleBlock } from '../src/koopman/pairs.js';
export type { Complex } from '../src/linalg/complex.js';
export type { RankRule } from '../src/linalg/rank.js';
export { SPECTRUM_DEFAULTS, type ImportanceMeasure, type SpectrumSettings } from '../src/spectrum/settings.js';
export { seriesSpectrum, weightSpectrum, type SpectrumSummary } from '../src/spectrum/spectrum.js';

// Weights of a tfjs model: partitions into groups, recording, reading and writing.
export { DEFAULT_PARTITION, partitionWeights } from '../src/partition/partition.js';
export {
  PARTITION_KINDS,
  type LayerPartition,
  type Partition,
  type PartitionKind,
  type PartitionSpec,
  type WeightGroup,
  type WeightTensorInfo,
} from '../src/partition/types.js';
export { TrajectoryRecorder, type RecordDtype, type RecorderOptions } from '../src/trajectory/recorder.js';
export { describeModel, readWeights, writeWeights } from '../src/tfjs/weights.js';
export { resetOptimizerState } from '../src/tfjs/optimizer-state.js';

// Measures of a jump (seed 004, Sec. 4.1 and S4).
export { equivalentSteps, errorToGrowth, type EquivalentSteps } from '../src/metrics/teq.js';

// Backends: tfjs-node when installed, else wasm, else cpu.
export { BACKEND_CHOICES, selectBackend, type BackendChoice, type BackendInfo } from '../src/backend/select.js';
export { registerWasmConv2DBackpropFilter } from '../src/backend/wasm-conv2d-backprop-filter.js';

// Analyses of trained networks.
export { DMD_LAYER_DEFAULTS, dmdLayer, type DmdLayerOptions, type DmdLayerReport, type DmdLayerResult } from './dmd-layer/index.js';
export { KANN_DEFAULTS, kann, lastStep, type KannArgs, type KannReport } from './kann/index.js';
export { KOOPMAN_CREDIT_DEFAULTS, koopmanCredit, type BlockCredit, type CreditResult, type KoopmanCreditOptions, type KoopmanCreditResult } from './koopman-credit/index.js';

// Losses: negative-Sobolev norms on the torus (seed 003).
export { SOBOLEV_LOSS_DEFAULTS, sobolevLoss, sobolevLoss1, sobolevLoss2, sobolevNorm, type SobolevLossOptions } from '../src/losses/index.js';
