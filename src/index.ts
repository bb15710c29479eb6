/** tfjs-koopman: the public API. */
export * from './linalg/index.js';
export * from './koopman/index.js';
export * from './partition/index.js';
export * from './trajectory/index.js';
export * from './tfjs/index.js';
export * from './metrics/index.js';
export * from './report/index.js';
export * from './backend/index.js';
export * from '../plugins/koopman-training/index.js';
export * from '../plugins/spectrum-monitor/index.js';
