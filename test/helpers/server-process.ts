// The API as a real process (node src/main.ts or the compiled dist/main.js, directly or through npm
// itself): its JSON log lines as they arrive, its terminal output, the address it listens on, and
// its process tree.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export type LogLine = Record<string, unknown> & { msg?: string };

export interface ServerProcess {
  child: ChildProcess;
  logs: LogLine[];
  /** stderr so far (the terminal hints) */
  stderr(): string;
  /** the address it logged, once it listens */
  address: Promise<string>;
  /** resolves once a log line satisfies the predicate */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

type Teardown = { teardown(fn: () => unknown): void };

export function startServerProcess(t: Teardown, command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string; detached?: boolean }): ServerProcess {
  const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}), detached: options.detached ?? false });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let stillRunning = true;
  void exited.then(() => { stillRunning = false; });
  const tree: number[] = [];
  t.teardown(() => {
    // whatever it left behind (a failed test must not leave a server running); a pid is killed
    // only while it is still a server of ours, never one that was reused by another process
    const below = stillRunning ? descendantsOf(child.pid!) : [];
    for (const pid of new Set([...below, ...tree])) {
      if (!isAlive(pid) || !isServerCommandLine(commandLineOf(pid))) continue;
      try { process.kill(pid, 'SIGKILL'); } catch { /* it ended meanwhile */ }
    }
    if (stillRunning) child.kill('SIGKILL');
  });
  const logs: LogLine[] = [];
  const waiters: { predicate: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let entry: LogLine;
    try {
      entry = JSON.parse(line) as LogLine;
    } catch {
      return; // npm's own lines ("> wps-consult@0.1.0 start")
    }
    logs.push(entry);
    if (typeof entry.pid === 'number' && !tree.includes(entry.pid)) tree.push(entry.pid);
    for (const w of [...waiters]) {
      if (w.predicate(entry)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(entry);
      }
    }
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  const waitForLog = (predicate: (l: LogLine) => boolean, timeoutMs = 30_000) => {
    const seen = logs.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such log line within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
      waiters.push({ predicate, resolve: (l) => { clearTimeout(timer); resolve(l); } });
    });
  };
  const address = waitForLog((l) => typeof l.address === 'string').then((l) => l.address as string);
  return { child, logs, stderr: () => stderr, address, waitForLog, exited };
}

/** Whether a command line runs the API: the TypeScript entry point or the compiled one. */
function isServerCommandLine(commandLine: string): boolean {
  return commandLine.includes('src/main.ts') || commandLine.includes('dist/main.js');
}

/** Every process below `pid` now, read from /proc (children, grandchildren, ...). */
export function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]); // after "pid (comm) state"
    parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Whether a process still exists (a zombie waiting to be reaped counts as gone: it serves nothing). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Polls until the predicate holds or the time is up; returns whether it held. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, everyMs = 100): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
