// Benchmark of the command handler on a busy consultation (a long stream): commands/s with the
// folded state cached by revision, against a baseline measured in the same run that re-reads and
// re-folds the whole stream for every command (cacheSize 0). SQLite store, synchronous=FULL.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandHandler } from '../src/commands/handler.ts';
import { commands } from '../src/commands/index.ts';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.ts';
import type { BenchOptions, Log } from './common.ts';

/** --quick divides both by ten */
let HISTORY = 3000;
let MEASURE_MS = 3000;
const COORDINATOR = { role: 'coordinator', id: 'bench' } as const;


function commentOn(handler: CommandHandler, consultationId: string, stakeholderId: string, n: number) {
  return handler.execute(commands.submitComment, {
    consultationId, commandId: randomUUID(), actor: COORDINATOR,
    input: { stakeholderId, draftVersion: 1, sectionKey: 's1', text: `comment ${n} on the participation pillar`, channel: 'api' },
  });
}

async function measure(handler: CommandHandler, consultationId: string, stakeholderId: string): Promise<number> {
  const started = performance.now();
  let n = 0;
  while (performance.now() - started < MEASURE_MS) await commentOn(handler, consultationId, stakeholderId, n++);
  return Math.round(n / ((performance.now() - started) / 1000));
}

export async function run(log: Log, options: BenchOptions) {
  if (options.quick) [HISTORY, MEASURE_MS] = [300, 300];
  const dir = await mkdtemp(join(tmpdir(), 'bench-handler-'));
  const store = new SqliteEventStore({ file: join(dir, 'events.sqlite') });
  try {
    const setup = new CommandHandler({ store });
    const consultationId = randomUUID();
    await setup.execute(commands.openConsultation, { consultationId, commandId: randomUUID(), actor: COORDINATOR, input: { title: 'Bench', leadOrganisation: 'Gender Office', languages: ['en'], timeZone: 'UTC' } });
    await setup.execute(commands.publishDraft, { consultationId, commandId: randomUUID(), actor: COORDINATOR, input: { sections: [{ key: 's1', heading: 'Participation', text: '...' }], commentDeadline: '2099-01-01T00:00:00Z' } });
    const invited = await setup.execute(commands.inviteStakeholder, { consultationId, commandId: randomUUID(), actor: COORDINATOR, input: { organisation: 'Peace Institute', kind: 'academia', contacts: [{ name: 'A', email: 'a@example.org' }], language: 'en' } });
    const stakeholderId = invited.events[0]!.data.stakeholderId as string;
    log(`writing a history of ${HISTORY} comments`);
    await Promise.all(Array.from({ length: HISTORY }, (_, n) => commentOn(setup, consultationId, stakeholderId, n)));

    log('baseline: re-read and re-fold the whole stream per command');
    const baseline = await measure(new CommandHandler({ store, cacheSize: 0 }), consultationId, stakeholderId);
    log('cached: fold once, then decide on the state cached by revision');
    const cached = await measure(new CommandHandler({ store }), consultationId, stakeholderId);
    const result = { historyEvents: HISTORY + 3, baselineCommandsPerSecond: baseline, cachedCommandsPerSecond: cached, ratio: Number((cached / baseline).toFixed(1)) };
    log(`baseline ${baseline} commands/s, cached ${cached} commands/s: ${result.ratio}x`);
    return result;
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
