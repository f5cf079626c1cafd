// A server in a process of its own, as the HTTP scenarios start it: its stdout (the JSON log) in a
// file, its address read from that log, stopped with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface Server {
  address: string;
  /** performance.now() when it was spawned */
  spawnedAt: number;
  /** CPU seconds (user + system) the process has used so far (Linux: /proc/<pid>/stat) */
  cpuSeconds(): number;
  /** SIGTERM, then waits for the exit; throws if it did not exit 0 */
  stop(): Promise<void>;
}

/**
 * Starts `node <args>` with its stdout in `logFile`; resolves once it logged its address (a JSON
 * line with `address`). `args` ends with the script, e.g. `['--import', 'tsx/esm', 'src/main.ts']`.
 */
export async function startServer(args: readonly string[], env: NodeJS.ProcessEnv, logFile: string): Promise<Server> {
  const script = args.at(-1) ?? '';
  const out = openSync(logFile, 'w');
  const spawnedAt = performance.now();
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...args], { env, stdio: ['ignore', out, 'pipe'] });
  } finally {
    closeSync(out); // the child holds its own copy
  }
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<void>((done) => child.once('exit', (code, signal) => { exit = { code, signal }; done(); }));
  const stop = async () => {
    if (!exit) child.kill('SIGTERM');
    await exited;
    if (exit!.code !== 0) throw new Error(`${script} exited with ${exit!.code ?? exit!.signal}: ${stderr.slice(-1000)}`);
  };
  const until = performance.now() + 120_000;
  for (;;) {
    const address = addressIn(logFile);
    if (address) return { address, spawnedAt, stop, cpuSeconds: () => cpuSecondsOf(child.pid!) };
    if (exit || performance.now() > until) {
      if (!exit) child.kill('SIGKILL');
      await exited;
      throw new Error(`${script} did not log its address (exit ${JSON.stringify(exit)}): ${stderr.slice(-1000)}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** utime + stime of a process, from /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s on Linux). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // from field 3 on (the name may hold spaces)
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function addressIn(logFile: string): string | undefined {
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { address?: unknown };
      if (typeof entry.address === 'string') return entry.address;
    } catch { /* a line being written */ }
  }
  return undefined;
}

/** Polls `/readyz` until it answers 200 (at most 10 minutes). */
export async function untilReady(address: string): Promise<void> {
  const until = performance.now() + 600_000;
  for (;;) {
    const res = await fetch(`${address}/readyz`);
    await res.arrayBuffer();
    if (res.status === 200) return;
    if (performance.now() > until) throw new Error('/readyz did not answer 200 in 10 minutes');
    await new Promise((r) => setTimeout(r, 50));
  }
}
