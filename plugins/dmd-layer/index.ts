export { dmdLayer, type DmdLayerReport, type DmdLayerResult } from './dmd-layer.js';
export { DMD_LAYER_DEFAULTS, resolveDmdLayerOptions, type DmdLayerOptions, type ResolvedDmdLayerOptions } from './options.js';
export { collectStates, layerChain, type LayerChain } from './chain.js';
