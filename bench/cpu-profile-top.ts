// `node --import tsx/esm bench/cpu-profile-top.ts FILE.cpuprofile [--top N] [--from SECONDS]`: the N
// (default 10) functions with the most self time in a V8 CPU profile (as `node --cpu-prof` writes
// it), with their share of the busy time (everything but `(idle)`), and the same summed by package
// or repository folder. `--from` skips the first SECONDS of the profile (a process's start: module
// loading, the views' catch-up), so that what is left is the time under load.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where a function lives, short: `node_modules/<package>/…`, a path in this repository, or node's own. */
function where(url: string): string {
  if (url === '') return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm !== -1) return path.slice(nm + 1);
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}

/** The package (`fastify`, `@fastify/ajv-compiler`), the repository folder (`src/http`), or `node:`. */
function owner(url: string): string {
  const w = where(url);
  if (w === '') return '(V8 / native)';
  if (w.startsWith('node_modules/')) {
    const parts = w.split('/');
    return parts[1]!.startsWith('@') ? `${parts[1]}/${parts[2]}` : parts[1]!;
  }
  if (w.startsWith('node:')) return 'node: (core)';
  return w.split('/').slice(0, 2).join('/');
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '10' }, from: { type: 'string', default: '0' } } });
const [file] = positionals;
const count = Number(values.top);
const fromUs = Number(values.from) * 1e6;
if (!file || positionals.length > 1 || !(count > 0) || !(fromUs >= 0)) {
  process.stderr.write('usage: cpu-profile-top.ts FILE.cpuprofile [--top N] [--from SECONDS]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<string, number>();
const ownerUs = new Map<string, number>();
let totalUs = 0;
let idleUs = 0;
let atUs = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  atUs += dt;
  if (atUs < fromUs) return;
  const frame = byId.get(id)!.callFrame;
  totalUs += dt;
  if (frame.functionName === '(idle)') {
    idleUs += dt;
    return;
  }
  // a line number only where the file runs as written: tsx's output of a .ts file has other lines
  const line = frame.url && !frame.url.endsWith('.ts') ? `:${frame.lineNumber + 1}` : '';
  const key = `${frame.functionName || '(anonymous)'}\t${where(frame.url)}${line}`;
  selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
  const o = frame.url ? owner(frame.url) : frame.functionName.startsWith('(') ? frame.functionName : '(V8 / native)';
  ownerUs.set(o, (ownerUs.get(o) ?? 0) + dt);
});
const busyUs = totalUs - idleUs;
const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
const pct = (us: number) => `${((100 * us) / busyUs).toFixed(1).padStart(5)} %`;
const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
const lines = [
  `${(totalUs / 1e6).toFixed(1)} s profiled${fromUs > 0 ? ` from ${values.from} s on` : ''}, ${(busyUs / 1e6).toFixed(1)} s busy (${((100 * busyUs) / totalUs).toFixed(0)} %); shares are of the busy time`,
  '',
  'self ms   share  function  (where)',
  ...top(selfUs, count).map(([key, us]) => {
    const [name, at] = key.split('\t');
    return `${ms(us)}  ${pct(us)}  ${name}${at ? `  (${at})` : ''}`;
  }),
  '',
  'self ms   share  package or folder',
  ...top(ownerUs, count).map(([name, us]) => `${ms(us)}  ${pct(us)}  ${name}`),
];
process.stdout.write(`${lines.join('\n')}\n`);
