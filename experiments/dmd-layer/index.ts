export { dmdLayerCommand, dmdLayerSettings } from './cli.js';
export { resummariseDmdLayer, runDmdLayerExperiment } from './experiment.js';
