// AssemblyScript source of the engine's WebAssembly SIMD kernels (compiled by
// `npm run build:kernels` into ../wasm-bytes.ts; tsc does not compile this folder).
//
// Every matrix is f64 in linear memory; pointers are byte addresses, sizes and strides are in
// elements. Each function mirrors the plain-JS reference of the same name in src/linalg (qr.ts,
// gram.ts, jacobi-svd.ts, symmetric-eigen.ts): same algorithm and blocking, same results up to
// the order of the additions (the vectors hold two lanes, summed at the end). v128 f64x2 throughout; no fused multiply-add (not in the
// base SIMD proposal), so the peak is 2 mul + 2 add of two lanes per cycle.

// Sources: this file and one per family of kernels (qr.ts, gram.ts, jacobi.ts, eigen.ts), all
// compiled as entry files of one module (their exports are the module's); common/index.ts holds
// the shared helpers.

/** First 16-byte-aligned address past the module's own data: where the caller's buffers start. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
