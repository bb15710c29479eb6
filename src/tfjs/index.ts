export { describeModel, readWeights, writeWeights } from './weights.js';
export { FixedAdadelta, adadelta } from './adadelta.js';
export { getLearningRate, setLearningRate } from './learning-rate.js';
