// Starting a worker thread on a module beside the caller. Compiled into dist/ the modules are .js;
// under tsx (`npm start`, tests) they are .ts, and a worker does not inherit `--import tsx/esm`'s
// hooks: it registers tsx before loading the module.
import { Worker } from 'node:worker_threads';

/** A worker running `name` (without extension), the sibling of the module at `from` (its import.meta.url). */
export function startSiblingWorker(from: string, name: string, workerData: unknown): Worker {
  const underTsx = from.endsWith('.ts');
  const entry = new URL(`./${name}${underTsx ? '.ts' : '.js'}`, from);
  if (!underTsx) return new Worker(entry, { workerData });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const bootstrap = `import(${tsx}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
