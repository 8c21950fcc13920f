// Starting a worker thread whose module lives in src/ beside the module that starts it.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker module `name` (without extension) found beside `parentUrl` (the starter's import.meta.url).
 * Compiled, it is plain JavaScript; run from source (tests, benchmarks) it is TypeScript, and Node 20 does not
 * pass tsx's loader on to worker threads, so the worker loads it through tsx's API.
 */
export function startWorker(name: string, parentUrl: string, options: WorkerOptions = {}): Worker {
  const extension = extname(fileURLToPath(parentUrl));
  const file = new URL(`./${name}${extension}`, parentUrl);
  if (extension === '.js') return new Worker(file, options);
  const load = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(file.href)}, ${JSON.stringify(parentUrl)}))`;
  return new Worker(load, { ...options, eval: true });
}
