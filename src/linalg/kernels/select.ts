import { combineRows, rowGram, rowProduct } from '../gram.js';
import { rowJacobi } from '../jacobi-svd.js';
import { pairedQr } from '../qr.js';
import { symmetricEigen } from '../symmetric-eigen.js';
import { wasmKernels, wasmSimdAvailable, type WasmKernels } from './wasm.js';

/** Which implementation of the inner loops a decomposition uses. */
export type KernelChoice = 'auto' | 'wasm' | 'js';

/** The inner loops of the thin SVD and its projections, by implementation. */
export interface LinalgKernels extends Pick<WasmKernels, 'pairedQr' | 'rowGram' | 'rowProduct' | 'combineRows' | 'rowJacobi' | 'symmetricEigen' | 'hold' | 'release'> {
  name: 'wasm' | 'js';
}

/** The plain-JS reference (src/linalg/qr.ts, src/linalg/gram.ts): what every kernel is tested against. */
export const JS_KERNELS: LinalgKernels = Object.freeze({
  name: 'js' as const,
  pairedQr,
  rowGram,
  rowProduct,
  combineRows,
  rowJacobi,
  symmetricEigen,
  /** Nothing to hold: the JS loops read the caller's array. */
  hold: () => {},
  release: () => {},
});

let autoChoice: 'wasm' | 'js' | null = null;

/**
 * What `'auto'` means in this process: `'wasm'` when WebAssembly SIMD validates here, else
 * `'js'` — unless set with {@link setAutoKernel}.
 */
export function autoKernel(): 'wasm' | 'js' {
  return autoChoice ?? (wasmSimdAvailable() ? 'wasm' : 'js');
}

/**
 * Sets what `'auto'` resolves to for every later decomposition of this process (`null`: detect
 * again). For comparing both paths inside one run (the bench) and for ruling the kernel out
 * without passing an option through every fit; an explicit `kernel` option still wins.
 */
export function setAutoKernel(choice: 'wasm' | 'js' | null): void {
  if (choice !== null && choice !== 'wasm' && choice !== 'js') throw new Error(`setAutoKernel: expected 'wasm', 'js' or null; got ${String(choice)}`);
  if (choice === 'wasm' && !wasmSimdAvailable()) throw new Error("setAutoKernel: 'wasm' needs WebAssembly SIMD, which this runtime lacks");
  autoChoice = choice;
}

/** What a choice resolves to here (without instantiating anything); a value outside the three is named in the error. */
export function kernelName(choice: KernelChoice, who = 'thinSvd'): 'wasm' | 'js' {
  if (choice !== 'auto' && choice !== 'wasm' && choice !== 'js') {
    throw new Error(`${who}: kernel must be 'auto', 'wasm' or 'js'; got ${String(choice)}`);
  }
  return choice === 'auto' ? autoKernel() : choice;
}

/** The kernels of a choice; `'wasm'` throws where WebAssembly SIMD is missing. */
export function kernelsFor(choice: KernelChoice, who = 'thinSvd'): LinalgKernels {
  const name = kernelName(choice, who);
  if (name === 'js') return JS_KERNELS;
  const k = wasmKernels();
  if (!k) throw new Error(`${who}: kernel 'wasm' needs WebAssembly SIMD, which this runtime lacks; use 'auto' or 'js'`);
  if (!wasmSet || wasmSet.of !== k) {
    const { pairedQr, rowGram, rowProduct, combineRows, rowJacobi, symmetricEigen, hold, release } = k;
    wasmSet = { of: k, set: Object.freeze({ name: 'wasm' as const, pairedQr, rowGram, rowProduct, combineRows, rowJacobi, symmetricEigen, hold, release }) };
  }
  return wasmSet.set;
}

/** The wasm set of the current instance (a fresh instance replaces one that grew past its keep bound). */
let wasmSet: { of: WasmKernels; set: LinalgKernels } | null = null;
