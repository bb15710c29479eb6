/**
 * Reader for the IDX file format used by MNIST and Fashion-MNIST
 * (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-…`), plain or gzip-compressed.
 *
 * Layout: a 4-byte magic number `00 00 TT DD` (TT = element type, DD = number of dimensions),
 * then DD big-endian uint32 sizes, then the elements in row-major order. Only TT = 0x08
 * (unsigned byte) is supported, which is what every MNIST-style data set uses.
 * Every error message starts with the file path.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** Element type code of unsigned bytes, the only type this reader accepts. */
export const IDX_UBYTE = 0x08;
/** Magic number of an image file: ubyte elements, 3 dimensions (count × rows × cols). */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic number of a label file: ubyte elements, 1 dimension (count). */
export const IDX_LABELS_MAGIC = 0x00000801;

/** A parsed IDX file: its dimensions and its row-major unsigned-byte elements. */
export interface IdxArray {
  /** Sizes from the header, outermost first (e.g. [60000, 28, 28]). */
  dims: number[];
  /** The elements, length = product of `dims`. */
  data: Uint8Array;
}

/** Images from an IDX3 file: `count` images of `rows × cols` pixels (0..255), row-major. */
export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
}

/** True when the bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Reads a file and gunzips it when it starts with the gzip magic. */
export function readMaybeGzipped(path: string): Buffer {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (err) {
    throw new Error(`${path}: cannot read file (${errorText(err)})`, { cause: err });
  }
  if (!isGzip(raw)) return raw;
  try {
    return gunzipSync(raw);
  } catch (err) {
    throw new Error(`${path}: corrupt or truncated gzip data (${errorText(err)})`, { cause: err });
  }
}

/**
 * Parses IDX bytes (already decompressed). `path` is only used in error messages.
 * Throws on a short header, bad magic, a data type other than ubyte, or a byte count that
 * differs from what the header promises (truncated or padded file).
 */
export function parseIdx(bytes: Uint8Array, path: string): IdxArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) {
    throw new Error(`${path}: file has ${bytes.length} bytes, too short for an IDX header (need at least 4)`);
  }
  const magic = view.getUint32(0, false);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${path}: bad magic ${hex32(magic)}, not an IDX file (expected 0x00000803 for images or 0x00000801 for labels)`);
  }
  if (bytes[2] !== IDX_UBYTE) {
    throw new Error(`${path}: unsupported data type 0x${hex8(bytes[2])} in magic ${hex32(magic)} (only 0x08 = unsigned byte is supported)`);
  }
  const ndim = bytes[3];
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) {
    throw new Error(`${path}: truncated header: ${ndim} dimensions need ${headerBytes} bytes, file has ${bytes.length}`);
  }
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  const expected = headerBytes + dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== expected) {
    throw new Error(`${path}: expected ${expected} bytes for ${describeDims(dims)}, file has ${bytes.length}`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Reads and parses any ubyte IDX file (plain or gzipped). */
export function readIdxFile(path: string): IdxArray {
  return parseIdx(readMaybeGzipped(path), path);
}

/** Reads an IDX3 image file (magic 0x00000803). */
export function readIdxImages(path: string): IdxImages {
  const bytes = readMaybeGzipped(path);
  requireMagic(bytes, path, IDX_IMAGES_MAGIC, 'an image file');
  const { dims, data } = parseIdx(bytes, path);
  const [count, rows, cols] = dims;
  return { count, rows, cols, pixels: data };
}

/** Reads an IDX1 label file (magic 0x00000801); returns one byte per label. */
export function readIdxLabels(path: string): Uint8Array {
  const bytes = readMaybeGzipped(path);
  requireMagic(bytes, path, IDX_LABELS_MAGIC, 'a label file');
  return parseIdx(bytes, path).data;
}

/** Throws unless the file starts with exactly `magic` (checked before the generic parse). */
function requireMagic(bytes: Uint8Array, path: string, magic: number, what: string): void {
  if (bytes.length < 4) {
    throw new Error(`${path}: file has ${bytes.length} bytes, too short for an IDX header (need at least 4)`);
  }
  const got = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
  if (got === magic) return;
  if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] !== IDX_UBYTE) {
    throw new Error(`${path}: unsupported data type 0x${hex8(bytes[2])} in magic ${hex32(got)} (only 0x08 = unsigned byte is supported)`);
  }
  throw new Error(`${path}: bad magic ${hex32(got)}, expected ${hex32(magic)} for ${what}`);
}

/** "60000×28×28 images", "60000 labels" or "2×3×4×5 elements". */
function describeDims(dims: number[]): string {
  const shape = dims.join('×') || 'scalar';
  if (dims.length === 3) return `${shape} images`;
  if (dims.length === 1) return `${shape} labels`;
  return `${shape} elements`;
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function hex8(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
