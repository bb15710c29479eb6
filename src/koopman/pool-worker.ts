// A FitPool worker thread (src/koopman/pool.ts): fits the groups it is sent with the same code as
// the calling thread and sends back each operator's parts. Loaded by URL from the pool only.
import { parentPort } from 'node:worker_threads';
import { setAutoKernel } from '../linalg/kernels/select.js';
import { SvdWorkspace } from '../linalg/workspace.js';
import { windowRows } from './batch.js';
import { fitRows } from './fit.js';
import { DEFAULT_FIT_OPTIONS } from './options.js';
import type { FitRequest, FitResponse } from './pool.js';

const port = parentPort;
if (!port) throw new Error('pool-worker: must run as a worker thread of a FitPool');
const work = new SvdWorkspace();

port.on('message', (req: FitRequest) => {
  setAutoKernel(req.kernel);
  const { win, n, options, control } = req;
  const scratch = new Float64Array(win.dims.reduce((a, d) => Math.max(a, d), 0) * win.count);
  const results: FitResponse['results'] = [];
  const transfer: ArrayBuffer[] = [];
  for (let j = 0; j < req.groups.length; j++) {
    if (Atomics.load(control, 0) === 1) break;
    const group = req.groups[j];
    try {
      const parts = fitRows(windowRows(win, j, n, scratch), win.dims[j], n, options, req.labels[j], work).toParts();
      results.push({ group, parts });
      // move the arrays the operator owns outright; a view into a larger buffer is copied
      for (const v of Object.values(parts)) {
        if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer && v.byteLength === v.buffer.byteLength && !transfer.includes(v.buffer)) transfer.push(v.buffer);
      }
    } catch (err) {
      results.push({ group, error: (err as Error).message });
      if (req.strict) Atomics.store(control, 0, 1);
    }
    Atomics.add(control, 1, 1);
  }
  port.postMessage({ id: req.id, results } satisfies FitResponse, transfer);
});

// Compile the kernels before the first request (WebAssembly instantiation is most of a cold start).
{
  const d = 6;
  const m = 24;
  const rows = Float64Array.from({ length: d * m }, (_, k) => Math.sin(0.37 * k) + 0.01 * k);
  fitRows(rows, d, m, { ...DEFAULT_FIT_OPTIONS, affine: true }, 'warm-up', work);
}
port.postMessage({ ready: true });
