export { BACKEND_CHOICES, selectBackend, type BackendChoice, type BackendInfo, type BackendName } from './select.js';
export { conv2DBackpropFilterWasm, registerWasmConv2DBackpropFilter } from './wasm-conv2d-backprop-filter.js';
