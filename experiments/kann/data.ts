import { mulberry32 } from '../../src/linalg/random.js';

/**
 * The copy problem (Hochreiter & Schmidhuber 1997; the set-up of Arjovsky, Shah & Bengio 2016):
 * `copyLength` symbols drawn uniformly from 1…`symbols`, then `delay` − 1 blanks (0), a delimiter
 * (`symbols` + 1), and `copyLength` more blanks; the target is blank for the first delay +
 * copyLength steps and the symbols afterwards. Inputs are one-hot over symbols + 2 classes, targets
 * one-hot over symbols + 1 (blank and the symbols). Sequence length delay + 2·copyLength.
 */
export interface CopyData {
  x: Float32Array;
  y: Float32Array;
  samples: number;
  steps: number;
  inClasses: number;
  outClasses: number;
  /** Input and target tokens, samples × steps. */
  tokens: Int32Array;
  targets: Int32Array;
}

export function copyData(samples: number, copyLength: number, delay: number, symbols: number, seed: number): CopyData {
  const r = mulberry32(seed);
  const steps = delay + 2 * copyLength;
  const inClasses = symbols + 2;
  const outClasses = symbols + 1;
  const tokens = new Int32Array(samples * steps);
  const targets = new Int32Array(samples * steps);
  for (let s = 0; s < samples; s++) {
    const o = s * steps;
    for (let i = 0; i < copyLength; i++) {
      const v = 1 + Math.floor(r() * symbols);
      tokens[o + i] = v;
      targets[o + delay + copyLength + i] = v;
    }
    tokens[o + delay + copyLength - 1] = symbols + 1;
  }
  return { x: oneHot(tokens, inClasses), y: oneHot(targets, outClasses), samples, steps, inClasses, outClasses, tokens, targets };
}

/** Token kinds of the synthetic sentiment vocabulary. */
export type TokenKind = 'positive' | 'negative' | 'neutral' | 'negation' | 'pad';

/**
 * A synthetic sentiment corpus (the stand-in for IMDB): a vocabulary of `positive`, `negative`
 * and `neutral` words and one negation ("not"). A review of `length` tokens draws each word as a
 * sentiment word with probability `sentimentRate` (positive or negative with equal odds), as "not"
 * followed by a sentiment word with probability `negationRate`, else a neutral word. Its score is
 * the signed count (+1 positive, −1 negative) in which "not" flips the sign of the word after it
 * ("not good" −1, "not bad" +1); label 1 when the score is positive, 0 when negative; reviews
 * with score 0 are drawn again. As the paper's IMDB batch ("padded with zeros" to a common
 * length), a review has a length drawn uniformly from `minLength`…`length` and is padded in front
 * with a `<pad>` token up to `length` (Keras' default pre-padding), so the model's last step is the
 * review's last word.
 */
export interface SentimentData {
  x: Float32Array;
  y: Float32Array;
  samples: number;
  steps: number;
  vocab: string[];
  kinds: TokenKind[];
  tokens: Int32Array;
  scores: Int32Array;
  /** Words of each review before padding. */
  lengths: Int32Array;
}

export const SENTIMENT_WORDS = Object.freeze({
  positive: ['good', 'great', 'fun', 'superb', 'lovely', 'best'],
  negative: ['bad', 'awful', 'dull', 'boring', 'worst', 'mess'],
  neutral: ['the', 'a', 'movie', 'plot', 'actor', 'and', 'it', 'was', 'film', 'scene', 'of', 'story'],
  negation: ['not'],
  pad: ['<pad>'],
});

export function sentimentVocab(): { vocab: string[]; kinds: TokenKind[] } {
  const vocab: string[] = [];
  const kinds: TokenKind[] = [];
  for (const kind of ['positive', 'negative', 'neutral', 'negation', 'pad'] as const) {
    for (const w of SENTIMENT_WORDS[kind]) {
      vocab.push(w);
      kinds.push(kind);
    }
  }
  return { vocab, kinds };
}

export function sentimentData(
  samples: number,
  length: number,
  sentimentRate: number,
  negationRate: number,
  seed: number,
  minLength = length,
): SentimentData {
  const r = mulberry32(seed);
  const { vocab, kinds } = sentimentVocab();
  const ids = (k: TokenKind) => kinds.map((kk, i) => (kk === k ? i : -1)).filter((i) => i >= 0);
  const pos = ids('positive');
  const neg = ids('negative');
  const neu = ids('neutral');
  const not = ids('negation')[0];
  const pad = ids('pad')[0];
  const pick = (a: number[]) => a[Math.floor(r() * a.length)];
  const tokens = new Int32Array(samples * length);
  const scores = new Int32Array(samples);
  const lengths = new Int32Array(samples);
  for (let s = 0; s < samples; s++) {
    let score = 0;
    const len = minLength + Math.floor(r() * (length - minLength + 1));
    lengths[s] = len;
    for (let t = 0; t < length - len; t++) tokens[s * length + t] = pad;
    do {
      score = 0;
      for (let t = length - len; t < length; t++) {
        const u = r();
        if (u < negationRate && t < length - 1) {
          const positive = r() < 0.5;
          tokens[s * length + t] = not;
          tokens[s * length + t + 1] = pick(positive ? pos : neg);
          score += positive ? -1 : 1;
          t++;
        } else if (u < negationRate + sentimentRate) {
          const positive = r() < 0.5;
          tokens[s * length + t] = pick(positive ? pos : neg);
          score += positive ? 1 : -1;
        } else tokens[s * length + t] = pick(neu);
      }
    } while (score === 0);
    scores[s] = score;
  }
  const y = Float32Array.from(scores, (v) => (v > 0 ? 1 : 0));
  return { x: oneHot(tokens, vocab.length), y, samples, steps: length, vocab, kinds, tokens, scores, lengths };
}

function oneHot(tokens: Int32Array, classes: number): Float32Array {
  const out = new Float32Array(tokens.length * classes);
  for (let i = 0; i < tokens.length; i++) out[i * classes + tokens[i]] = 1;
  return out;
}
