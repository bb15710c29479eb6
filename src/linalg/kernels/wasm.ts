import { JACOBI_MAX_SWEEPS, jacobiResult, jacobiTolerance, type RowJacobi } from '../jacobi-svd.js';
import type { PivotedQr } from '../qr.js';
import { symmetricEigenBy, type SymmetricEigen } from '../symmetric-eigen.js';
import { KERNELS_WASM_BASE64 } from './wasm-bytes.js';

/**
 * The WebAssembly SIMD kernels (AssemblyScript sources in ./wasm/kernels.ts, compiled bytes in
 * ./wasm-bytes.ts), instantiated synchronously on first use from the `WebAssembly` global — no
 * Node module, so the package entry stays loadable anywhere WebAssembly SIMD runs.
 *
 * Each function has the signature and the contract of the plain-JS reference of the same name
 * (src/linalg/qr.ts, src/linalg/gram.ts) and agrees with it to rounding (the SIMD lanes add in
 * another order). Inputs are copied into the module's linear memory and results copied back out:
 * 8 bytes per element read or written, a memcpy (≈ 0.1 ms per MiB), against the kernels'
 * O(size × k) flops. The memory grows to a call's need (8·L·k bytes for the QR of an L × k
 * matrix) and is kept up to {@link KERNEL_KEEP_BYTES}; an instance that grew past it is dropped
 * after the call.
 *
 * Costs inside thinSvd of a d × m matrix, k = min(d, m), L = max(d, m), r vectors formed:
 * - pairedQr: 2·L·k² − ⅔k³ flops; 8·L·k bytes in, the same out.
 * - rowGram (R Rᵀ), symmetricEigen (≈ 9·k³), combineRows (Vᵀ R, 2·k³), rowJacobi (≤ 8·k³ per sweep,
 *   1–5 sweeps after the preconditioning): O(k³) flops on k² doubles copied each way.
 * - rowProduct / combineRows for the long-side vectors and a fit's projections: 2·d·m·r flops,
 *   d·m doubles copied in (once per call), r·L out.
 * Measured here (results/bench.txt): ≈ 14–16 GFLOP/s per CPU-second for the QR, 23–28 for the
 * products, against ≈ 4–5 in plain JS.
 */
export interface WasmKernels {
  /** {@link import('../qr.js').pairedQr}: a is overwritten by the reflectors and R, as the JS one does. */
  pairedQr(a: Float64Array, len: number, cols: number): PivotedQr;

  rowGram(x: ArrayLike<number>, n: number, stride: number, offset: number, len: number, out?: Float64Array): Float64Array;
  rowProduct(
    a: ArrayLike<number>, na: number, strideA: number, offA: number,
    b: ArrayLike<number>, nb: number, strideB: number, offB: number,
    len: number, out?: Float64Array,
  ): Float64Array;
  combineRows(
    c: ArrayLike<number>, p: number, n: number,
    x: ArrayLike<number>, stride: number, offset: number, len: number, out?: Float64Array,
  ): Float64Array;
  /** {@link import('../jacobi-svd.js').rowJacobi}: M is rotated in place, as the JS one does. */
  rowJacobi(M: Float64Array, rows: number, cols: number, tol?: number): RowJacobi;
  /** {@link import('../symmetric-eigen.js').symmetricEigen}: tridiagonalisation and QL in wasm. */
  symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen;
  /**
   * Copies the rows of x (the layout of rowGram) into the module once; until {@link release},
   * calls given the same array and rows inside that span read it in place instead of copying it
   * again (the randomized route multiplies X by its sketch 2q + 2 times). x must not change
   * meanwhile.
   */
  hold(x: ArrayLike<number>, rows: number, stride: number, offset: number, len: number): void;
  /** Ends a {@link hold}. */
  release(): void;
  /** Bytes of linear memory the module holds now. */
  readonly memoryBytes: number;
}

interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  pairedQr(a: number, len: number, cols: number, tau: number): void;
  rowGram(x: number, n: number, stride: number, offset: number, len: number, out: number): void;
  rowProduct(a: number, na: number, sa: number, oa: number, b: number, nb: number, sb: number, ob: number, len: number, out: number): void;
  combineRows(c: number, p: number, n: number, x: number, stride: number, offset: number, len: number, out: number): void;
  rowNorms2(m: number, rows: number, cols: number, out: number): void;
  jacobiSweep(m: number, rows: number, cols: number, idx: number, nrm: number, tol: number): number;
  tridiagonalize(V: number, d: number, e: number, n: number): void;
  diagonalize(Vt: number, d: number, e: number, n: number): number;
}

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
let bytes: Uint8Array | null = null;
let valid: boolean | undefined;
let kernels: WasmKernels | null = null;
let compiled: object | null = null;

/**
 * Linear memory an instance may keep between calls. After a call that needed more, the instance
 * is let go (the next call instantiates a fresh one, ≈ 1 ms), so a one-off large decomposition
 * does not pin its memory for the life of the process: WebAssembly memory cannot shrink.
 */
export const KERNEL_KEEP_BYTES = 64 * 2 ** 20;

/** The compiled kernel module's bytes (decoded once). */
export function kernelBytes(): Uint8Array {
  if (!bytes) {
    const s = atob(KERNELS_WASM_BASE64);
    bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  }
  return bytes;
}

/** Whether this runtime has WebAssembly with SIMD (the kernel module validates). */
export function wasmSimdAvailable(): boolean {
  if (valid === undefined) {
    try {
      valid = api !== undefined && api.validate(kernelBytes());
    } catch {
      valid = false;
    }
  }
  return valid;
}

/** The instantiated kernels, or null when WebAssembly SIMD is not available here. */
export function wasmKernels(): WasmKernels | null {
  if (kernels) return kernels;
  if (!wasmSimdAvailable()) return null;
  // one compiled module for the process (its optimised code is shared); a fresh instance only
  // after one was let go for holding too much memory
  compiled ??= new api!.Module(kernelBytes());
  const ex = new api!.Instance(compiled, {}).exports as Exports;
  kernels = makeKernels(ex);
  return kernels;
}

function makeKernels(ex: Exports): WasmKernels {
  const base = ex.heapBase();
  let top = base;
  let f64 = new Float64Array(ex.memory.buffer);
  /** Address of `count` fresh doubles (16-byte aligned), growing the memory when needed. */
  const alloc = (count: number): number => {
    const at = top;
    top = Math.ceil((top + count * 8) / 16) * 16;
    if (top > ex.memory.buffer.byteLength) {
      const pages = Math.ceil((top - ex.memory.buffer.byteLength) / 65536);
      try {
        ex.memory.grow(pages);
      } catch (err) {
        top = at;
        throw new Error(`wasm kernels: cannot grow the module's memory to ${(top / 2 ** 20 + pages / 16).toFixed(0)} MiB (${(err as Error).message}); use kernel 'js'`);
      }
    }
    if (f64.buffer !== ex.memory.buffer) f64 = new Float64Array(ex.memory.buffer);
    return at;
  };
  /** Copies x[from, to) to a fresh block and returns its address. */
  const copyIn = (x: ArrayLike<number>, from: number, to: number): number => {
    const at = alloc(to - from);
    const view = f64.subarray(at / 8, at / 8 + (to - from));
    if (ArrayBuffer.isView(x)) view.set((x as unknown as Float64Array).subarray(from, to));
    else for (let i = from; i < to; i++) view[i - from] = x[i];
    return at;
  };
  /** An operand copied once by {@link WasmKernels.hold} and read in place by later calls; calls allocate above it. */
  let held: { x: ArrayLike<number>; from: number; to: number; at: number } | null = null;
  let floor = base;
  /** Rows r·stride + offset … + len for r < rows: the span [offset, end), copied in unless held. */
  const rowsIn = (x: ArrayLike<number>, rows: number, stride: number, offset: number, len: number): number => {
    const to = rows === 0 ? offset : (rows - 1) * stride + offset + len;
    if (held && held.x === x && offset >= held.from && to <= held.to) return held.at + (offset - held.from) * 8;
    return copyIn(x, offset, to);
  };
  const out = (at: number, count: number, into: Float64Array | undefined): Float64Array => {
    const res = into ?? new Float64Array(count);
    res.set(f64.subarray(at / 8, at / 8 + count));
    return res;
  };
  /** Unpivoted Householder QR in the module: a copied in, reflectors and R copied back over it. */
  const qr = (a: Float64Array, len: number, cols: number): PivotedQr => {
    top = floor;
    const kmax = Math.min(len, cols);
    const pa = copyIn(a, 0, len * cols);
    const pt = alloc(kmax);
    ex.pairedQr(pa, len, cols, pt);
    a.set(f64.subarray(pa / 8, pa / 8 + len * cols));
    const tau = out(pt, kmax, undefined);
    const perm = new Int32Array(cols);
    for (let j = 0; j < cols; j++) perm[j] = j;
    return { a, len, cols, steps: kmax, tau, perm };
  };
  /** Lets this instance go once it holds more than KERNEL_KEEP_BYTES (its closures stay usable). */
  const done = <T>(result: T): T => {
    if (ex.memory.buffer.byteLength > KERNEL_KEEP_BYTES && kernels === self) kernels = null;
    return result;
  };
  const self: WasmKernels = {
    pairedQr(a, len, cols) {
      return done(qr(a, len, cols));
    },

    rowGram(x, n, stride, offset, len, into) {
      top = floor;
      const px = rowsIn(x, n, stride, offset, len);
      const po = alloc(n * n);
      ex.rowGram(px, n, stride, 0, len, po);
      return done(out(po, n * n, into));
    },
    rowProduct(a, na, strideA, offA, b, nb, strideB, offB, len, into) {
      top = floor;
      const pa = rowsIn(a, na, strideA, offA, len);
      const pb = rowsIn(b, nb, strideB, offB, len);
      const po = alloc(na * nb);
      ex.rowProduct(pa, na, strideA, 0, pb, nb, strideB, 0, len, po);
      return done(out(po, na * nb, into));
    },
    combineRows(c, p, n, x, stride, offset, len, into) {
      top = floor;
      const pc = copyIn(c, 0, p * n);
      const px = rowsIn(x, n, stride, offset, len);
      const po = alloc(p * len);
      ex.combineRows(pc, p, n, px, stride, 0, len, po);
      return done(out(po, p * len, into));
    },
    rowJacobi(M, rows, cols, tol = jacobiTolerance(cols)) {
      // the sweep control (norms, de Rijk's ordering, the stop) as in JS; the pair loop in wasm
      top = floor;
      const pm = copyIn(M, 0, rows * cols);
      const pn = alloc(rows);
      const pi = alloc((rows + 1) >> 1);
      const nrm = f64.subarray(pn / 8, pn / 8 + rows);
      const idx = new Int32Array(f64.buffer, pi, rows);
      let sweeps = 0;
      for (; sweeps < JACOBI_MAX_SWEEPS; ) {
        sweeps++;
        ex.rowNorms2(pm, rows, cols, pn);
        for (let p = 0; p < rows; p++) idx[p] = p;
        idx.sort((a, b) => nrm[b] - nrm[a]);
        if (ex.jacobiSweep(pm, rows, cols, pi, pn, tol) === 0) break;
      }
      ex.rowNorms2(pm, rows, cols, pn);
      const values = new Float64Array(rows);
      for (let p = 0; p < rows; p++) values[p] = Math.sqrt(nrm[p]);
      M.set(f64.subarray(pm / 8, pm / 8 + rows * cols));
      return done(jacobiResult(values, sweeps));
    },
    symmetricEigen(a, n) {
      return done(symmetricEigenBy(a, n, (V, d, e) => {
        top = floor;
        const pv = copyIn(V, 0, n * n);
        const pd = alloc(n);
        const pe = alloc(n);
        ex.tridiagonalize(pv, pd, pe, n);
        const ok = ex.diagonalize(pv, pd, pe, n);
        if (ok !== 0) throw new Error('symmetricEigen: QL iteration did not converge');
        V.set(f64.subarray(pv / 8, pv / 8 + n * n));
        d.set(f64.subarray(pd / 8, pd / 8 + n));
        e.set(f64.subarray(pe / 8, pe / 8 + n));
      }));
    },
    hold(x, rows, stride, offset, len) {
      held = null;
      floor = base;
      top = base;
      const from = offset;
      const to = rows === 0 ? offset : (rows - 1) * stride + offset + len;
      const at = copyIn(x, from, to);
      held = { x, from, to, at };
      floor = top;
    },
    release() {
      held = null;
      floor = base;
      top = base;
      done(null);
    },
    get memoryBytes() {
      return ex.memory.buffer.byteLength;
    },
  };
  return self;
}
