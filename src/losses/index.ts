export { fftInPlace, realFourierCoefficients, synthesize, type HalfSpectrum } from './fft.js';
export { SEED_SOBOLEV_INDEX, layerScales, modeMultiplicity, sobolevNorm, sobolevNormSquared, sobolevWeight, type ScaleFunction } from './sobolev.js';
export { SOBOLEV_LOSS_DEFAULTS, sobolevLoss, sobolevLoss1, sobolevLoss2, type SobolevLossOptions, type TfLoss } from './tf-sobolev.js';
