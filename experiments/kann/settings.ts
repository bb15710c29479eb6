/** Settings of the three KANN studies; reference values in {@link KANN_SETTINGS}, quick mode in {@link QUICK_KANN_SETTINGS}. */
export interface CopySettings {
  /** Symbols to copy (Arjovsky et al.: 10). */
  copyLength: number;
  /** Steps between the last symbol and the delimiter's answer window (T). */
  delay: number;
  /** Alphabet size (Arjovsky et al.: 8). */
  symbols: number;
  units: number;
  trainSamples: number;
  /** Test sequences analysed (the KANN batch). */
  testSamples: number;
  epochs: number;
  /** Adam learning rate of this model (the copy plateau needs a larger one than the others). */
  learningRate: number;
}

export interface SentimentSettings {
  /** Tokens per review after padding (IMDB reviews were padded to 1000). */
  length: number;
  /** Shortest review before padding; lengths are uniform in minLength…length. */
  minLength: number;
  /**
   * Share of tokens that are a sentiment word (IMDB-like sparsity: most words of a review carry no
   * sentiment; the reference run uses 0.12).
   */
  sentimentRate: number;
  /** Share of "not" + sentiment-word pairs (reference: 0.03). */
  negationRate: number;
  /** Embedding width (paper: 128). */
  embed: number;
  /** GRU units (paper: 256). */
  units: number;
  trainSamples: number;
  testSamples: number;
  /** Reviews C is fitted on (the paper's random test batch of 64); agreement and e_rel are also measured on the whole test set. */
  fitSamples: number;
  epochs: number;
}

export interface BeatSettings {
  /** Samples per beat (ECG5000: 140). */
  steps: number;
  /** Encoder LSTM units (paper: 64); the decoder has `decoderUnits` (paper: 128). */
  units: number;
  decoderUnits: number;
  trainSamples: number;
  /** Normal test beats (the paper reconstructs 145). */
  testNormal: number;
  testAnomalous: number;
  epochs: number;
  /** Threshold = this quantile of the training beats' L1 losses (the paper fixed 26 from training). */
  thresholdQuantile: number;
}

export interface KannSettings {
  tasks: ('copy' | 'sentiment' | 'beats')[];
  copy: CopySettings;
  sentiment: SentimentSettings;
  beats: BeatSettings;
  batchSize: number;
  learningRate: number;
  /** Memory-horizon threshold (paper: 0.01). */
  epsilon: number;
  seed: number;
  out: string;
  backend: string;
  quick: boolean;
}

export const KANN_SETTINGS: KannSettings = {
  tasks: ['copy', 'sentiment', 'beats'],
  copy: { copyLength: 3, delay: 10, symbols: 8, units: 32, trainSamples: 3000, testSamples: 256, epochs: 12, learningRate: 1e-2 },
  sentiment: { length: 60, minLength: 12, sentimentRate: 0.12, negationRate: 0.03, embed: 16, units: 32, trainSamples: 2000, testSamples: 512, fitSamples: 64, epochs: 8 },
  beats: { steps: 60, units: 24, decoderUnits: 24, trainSamples: 600, testNormal: 145, testAnomalous: 145, epochs: 12, thresholdQuantile: 0.98 },
  batchSize: 32,
  learningRate: 5e-3,
  epsilon: 0.01,
  seed: 1,
  out: 'results/kann',
  backend: 'wasm',
  quick: false,
};

export const QUICK_KANN_SETTINGS: Pick<KannSettings, 'copy' | 'sentiment' | 'beats'> = {
  copy: { copyLength: 3, delay: 4, symbols: 4, units: 8, trainSamples: 128, testSamples: 16, epochs: 1, learningRate: 1e-2 },
  sentiment: { length: 12, minLength: 6, sentimentRate: 0.3, negationRate: 0.1, embed: 4, units: 8, trainSamples: 128, testSamples: 32, fitSamples: 16, epochs: 1 },
  beats: { steps: 24, units: 8, decoderUnits: 8, trainSamples: 64, testNormal: 16, testAnomalous: 16, epochs: 1, thresholdQuantile: 0.98 },
};
