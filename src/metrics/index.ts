export { equivalentSteps, errorToGrowth, median, type EquivalentSteps } from './teq.js';
