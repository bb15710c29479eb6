export {
  agreement,
  countAbove,
  kannCoefficients,
  kannStates,
  memoryHorizons,
  projectionMagnitudes,
  projectStates,
  relativeError,
  subspaceProjector,
} from './analysis.js';
export { fitKann, type KannFit } from './fit.js';
export { KANN_FIT_DEFAULTS, resolveKannFitOptions, type KannFitOptions, type ResolvedKannFitOptions } from './options.js';
export { checkHiddenStates, type HiddenStates } from './states.js';
