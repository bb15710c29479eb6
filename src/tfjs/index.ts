export { describeModel, readWeights, writeWeights } from './weights.js';
