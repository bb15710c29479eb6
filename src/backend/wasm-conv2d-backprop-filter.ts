import * as tf from '@tensorflow/tfjs';

/**
 * `Conv2DBackpropFilter` for the wasm backend, which ships without it in Node (so Conv2D layers
 * cannot train there). The filter gradient dW[a, b, c, k] = Σ x_pad[n, i·sh + a, j·sw + b, c] ·
 * dy[n, i, j, k] is computed by wasm's own `Conv3DBackpropFilterV2` kernel as that of a depth-1,
 * stride-1, 'valid' 3-D convolution: x [b, h, w, c] is zero-padded (wasm `PadV2`) by the padding
 * tfjs's own `computeConv2DInfo` gives, so every padding tfjs accepts ('valid', 'same', a number,
 * explicit pairs, any dimRoundingMode) means here what it means on cpu; strides > 1 are taken by
 * spreading dy with (s − 1) zeros between entries, because wasm's kernel (tfjs 4.22) returns wrong
 * gradients for strides > 1 (measured against cpu in test/wasm-conv2d.test.ts). NCHW is
 * transposed to NHWC first. tfjs computes no Conv2D gradient with dilations > 1.
 * Cost: O(b · oh·sh · ow·sw · fh · fw · c · k), sh·sw times the strided count.
 */
type TensorInfo = tf.TensorInfo;

interface WasmBackendLike {
  disposeData(dataId: object): boolean;
}

type KernelFn = (args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs: Record<string, unknown> }) => TensorInfo;

function wasmKernel(name: string): KernelFn {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`Conv2DBackpropFilter (wasm): the wasm backend has no '${name}' kernel to build on`);
  return k.kernelFunc as unknown as KernelFn;
}

export interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export function conv2DBackpropFilterWasm(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: unknown;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const b = backend as WasmBackendLike;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat !== 'NHWC' && dataFormat !== 'NCHW') {
    throw new Error(`Conv2DBackpropFilter (wasm): dataFormat must be NHWC or NCHW; got ${String(dataFormat)}`);
  }
  if (inputs.x.dtype !== 'float32' || inputs.dy.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropFilter (wasm): x and dy must be float32; got ${inputs.x.dtype} and ${inputs.dy.dtype}`);
  }
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo): TensorInfo => {
    temps.push(t);
    return t;
  };
  try {
    let x = inputs.x;
    let dy = inputs.dy;
    if (dataFormat === 'NCHW') {
      const transpose = wasmKernel('Transpose');
      x = keep(transpose({ inputs: { x }, backend, attrs: { perm: [0, 2, 3, 1] } }));
      dy = keep(transpose({ inputs: { x: dy }, backend, attrs: { perm: [0, 2, 3, 1] } }));
    }
    const [n, h, w, c] = x.shape;
    const [, oh, ow, k] = dy.shape;
    const [fh, fw, fc, fk] = filterShape;
    if (fc !== c || fk !== k || dy.shape[0] !== n) {
      throw new Error(
        `Conv2DBackpropFilter (wasm): filterShape ${JSON.stringify(filterShape)} does not fit x ${JSON.stringify(x.shape)} and dy ${JSON.stringify(dy.shape)} (NHWC)`,
      );
    }
    // the shape and layout cpu sees, so explicit paddings are read exactly as cpu reads them
    const info = tf.backend_util.computeConv2DInfo(
      inputs.x.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      dataFormat === 'NCHW' ? 'channelsFirst' : 'channelsLast',
    );
    const sh = info.strideHeight;
    const sw = info.strideWidth;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    // rows/columns of padded x the filter reaches for this dy; beyond x is zero (as on cpu)
    const xh = (oh - 1) * sh + fh;
    const xw = (ow - 1) * sw + fw;
    const bottom = Math.max(0, xh - top - h);
    const right = Math.max(0, xw - left - w);
    if (top < 0 || left < 0) throw new Error(`Conv2DBackpropFilter (wasm): negative padding ${top}, ${left}`);
    if (top + bottom + left + right > 0) {
      x = keep(
        wasmKernel('PadV2')({
          inputs: { x },
          backend,
          attrs: { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 },
        }),
      );
    }
    if (x.shape[1] !== xh || x.shape[2] !== xw) {
      x = keep(wasmKernel('Slice')({ inputs: { x }, backend, attrs: { begin: [0, 0, 0, 0], size: [n, xh, xw, c] } }));
    }
    let dh = oh;
    let dw = ow;
    if (sh > 1 || sw > 1) {
      const dy6: TensorInfo = { dataId: dy.dataId, shape: [n, oh, 1, ow, 1, k], dtype: dy.dtype };
      const spread = keep(
        wasmKernel('PadV2')({
          inputs: { x: dy6 },
          backend,
          attrs: { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 },
        }),
      );
      dh = (oh - 1) * sh + 1;
      dw = (ow - 1) * sw + 1;
      dy = keep(
        wasmKernel('Slice')({
          inputs: { x: { dataId: spread.dataId, shape: [n, oh * sh, ow * sw, k], dtype: dy.dtype } },
          backend,
          attrs: { begin: [0, 0, 0, 0], size: [n, dh, dw, k] },
        }),
      );
    }
    const dW5 = wasmKernel('Conv3DBackpropFilterV2')({
      inputs: {
        x: { dataId: x.dataId, shape: [n, 1, xh, xw, c], dtype: x.dtype },
        dy: { dataId: dy.dataId, shape: [n, 1, dh, dw, k], dtype: dy.dtype },
      },
      backend,
      attrs: { strides: [1, 1, 1], pad: 'valid', filterShape: [1, fh, fw, c, k] },
    });
    return { dataId: dW5.dataId, shape: [fh, fw, c, k], dtype: dW5.dtype };
  } finally {
    for (const t of temps) b.disposeData(t.dataId);
  }
}

/**
 * Registers {@link conv2DBackpropFilterWasm} as the wasm backend's `Conv2DBackpropFilter` kernel,
 * once (a second call, or a tfjs that already has one, changes nothing). Returns whether it
 * registered. `selectBackend('wasm')` calls it; users who call `tf.setBackend('wasm')` themselves
 * call it once after importing `@tensorflow/tfjs-backend-wasm`.
 */
export function registerWasmConv2DBackpropFilter(): boolean {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return false;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: conv2DBackpropFilterWasm as unknown as tf.KernelFunc,
  });
  return true;
}
