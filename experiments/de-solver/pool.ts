import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { selectBackend } from '../../src/backend/index.js';
import type { RunJob, RunResult } from './results.js';
import { runJob } from './run.js';

export interface PoolOptions {
  /** Worker processes; 1 runs the jobs in this process. */
  workers: number;
  backend: string;
  /** Optimizer steps completed (any job). */
  onSteps?: (steps: number) => void;
  /** A job finished (called in completion order). */
  onResult?: (job: RunJob, result: RunResult) => void | Promise<void>;
}

/** The worker module beside this one, and the node flags that let it run (tsx when running from source). */
function workerEntry(): { path: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const ext = extname(here);
  const path = here.slice(0, -ext.length).replace(/pool$/, 'runner') + ext;
  if (ext === '.js') return { path, execArgv: [] };
  const tsx = createRequire(import.meta.url).resolve('tsx');
  return { path, execArgv: ['--import', pathToFileURL(tsx).href] };
}

/**
 * Runs the jobs on `workers` processes (both cores of a two-core machine with the default 2),
 * each taking the next job when it finishes one. Returns the backend the workers use.
 */
export async function runPool(jobs: RunJob[], o: PoolOptions): Promise<string> {
  if (o.workers <= 1 || jobs.length <= 1) {
    const backend = (await selectBackend(o.backend)).name;
    for (const job of jobs) {
      const r = await runJob(job, backend, o.onSteps);
      await o.onResult?.(job, r);
    }
    return backend;
  }
  const { path, execArgv } = workerEntry();
  let next = 0;
  let backend = '';
  const n = Math.min(o.workers, jobs.length);
  const children: ChildProcess[] = [];
  try {
    await Promise.all(
      Array.from({ length: n }, () =>
        new Promise<void>((resolve, reject) => {
          const child = fork(path, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
          children.push(child);
          let current = -1;
          let done = false;
          const finish = (err?: Error) => {
            if (done) return;
            done = true;
            if (child.connected) child.send({ type: 'exit' });
            if (err) reject(err);
            else resolve();
          };
          const give = () => {
            if (next >= jobs.length) return finish();
            current = next++;
            child.send({ type: 'job', id: current, job: jobs[current] });
          };
          child.on('message', (raw) => {
            const m = raw as { type: string; id: number; backend?: string; steps?: number; result?: RunResult; message?: string };
            if (m.type === 'ready') {
              backend = m.backend!;
              give();
            } else if (m.type === 'progress') {
              o.onSteps?.(m.steps!);
            } else if (m.type === 'result') {
              Promise.resolve(o.onResult?.(jobs[m.id], m.result!)).then(give, finish);
            } else if (m.type === 'error') {
              const j = jobs[m.id];
              finish(new Error(`worker failed on ${j ? `${j.optimizer} seed ${j.seed}` : 'start-up'}: ${m.message}`));
            }
          });
          child.on('exit', (code) => {
            if (!done) finish(new Error(`worker exited with code ${code} while running job ${current}`));
          });
          child.on('error', (err) => finish(err));
          child.send({ type: 'init', backend: o.backend });
        }),
      ),
    );
  } catch (err) {
    next = jobs.length;
    for (const c of children) if (c.exitCode === null) c.kill();
    throw err;
  }
  return backend;
}
