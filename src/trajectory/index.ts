export { DEFAULT_RECORDER, TrajectoryRecorder, type RecordDtype, type RecorderOptions } from './recorder.js';
