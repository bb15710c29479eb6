export { dmdLayerCommand, dmdLayerSettings } from './cli.js';
export { runDmdLayerExperiment } from './experiment.js';
