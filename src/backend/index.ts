export { BACKEND_CHOICES, selectBackend, type BackendChoice, type BackendInfo, type BackendName } from './select.js';
