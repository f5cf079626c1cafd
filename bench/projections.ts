// Benchmark of a projection rebuild (what every server start does, views being in memory): events/s
// through all the projections via the runner's catch-up subscriptions, against a baseline measured
// in the same run that only reads the same events from the store (pages of 500, no reducers).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandHandler } from '../src/commands/handler.ts';
import { commands } from '../src/commands/index.ts';
import { projections } from '../src/projections/index.ts';
import { ProjectionRunner } from '../src/projections/runner.ts';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.ts';
import type { Position } from '../src/store/port.ts';

const CONSULTATIONS = 10;
const STAKEHOLDERS = 60;
const COMMENTS = 1500;
const COORDINATOR = { role: 'coordinator', id: 'bench' } as const;

type Log = (line: string) => void;

async function seed(handler: CommandHandler, log: Log): Promise<number> {
  let events = 0;
  const run = async (consultationId: string, command: Parameters<CommandHandler['execute']>[0], input: unknown) => {
    const r = await handler.execute(command, { consultationId, commandId: randomUUID(), actor: COORDINATOR, input });
    events += r.events.length;
    return r;
  };
  await Promise.all(Array.from({ length: CONSULTATIONS }, async (_, c) => {
    const id = randomUUID();
    await run(id, commands.openConsultation, { title: `Plan ${c}`, leadOrganisation: 'Gender Office', languages: ['en'], timeZone: 'UTC' });
    await run(id, commands.publishDraft, { sections: [{ key: 's1', heading: 'Participation', text: '...' }, { key: 's2', heading: 'Protection', text: '...' }], commentDeadline: '2099-01-01T00:00:00Z' });
    const sids: string[] = [];
    for (let s = 0; s < STAKEHOLDERS; s++) {
      const r = await run(id, commands.inviteStakeholder, { organisation: `Org ${s}`, kind: s < 6 ? 'ministry' : 'civil-society', contacts: [{ name: 'Focal point', email: `org${s}@example.org` }], language: 'en', endorser: s < 6 });
      sids.push(r.events[0]!.data.stakeholderId as string);
    }
    for (let n = 0; n < COMMENTS; n++) {
      const r = await run(id, commands.submitComment, { stakeholderId: sids[n % STAKEHOLDERS], draftVersion: 1, sectionKey: n % 2 ? 's1' : 's2', text: `Comment ${n} on the action plan's indicators and budget lines.`, channel: 'api' });
      if (n % 3 === 0) await run(id, commands.answerComment, { commentId: r.events[0]!.data.commentId, disposition: 'accepted', response: 'Taken into the next draft.' });
    }
  }));
  log(`seeded ${events} events in ${CONSULTATIONS} consultations`);
  return events;
}

export async function run(log: Log) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-projections-'));
  const store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
  try {
    const events = await seed(new CommandHandler({ store }), log);

    log('baseline: read every event, no reducers');
    let started = performance.now();
    let from: Position | 'start' = 'start';
    let read = 0;
    for (;;) {
      const page = await store.readAll({ from, streamPrefix: 'consultation-', maxCount: 500 });
      read += page.length;
      if (page.length < 500) break;
      from = page.at(-1)!.position;
    }
    const readPerSecond = Math.round(read / ((performance.now() - started) / 1000));

    log(`rebuild: ${projections.length} projections through the runner`);
    started = performance.now();
    const runner = new ProjectionRunner({ store, projections, progress: (p) => log(`  ${p.name}: ${p.eventsApplied} events, ${p.eventsPerSecond} events/s`) });
    await runner.start();
    await runner.caughtUp(120_000);
    const seconds = (performance.now() - started) / 1000;
    await runner.stop();
    const rebuildPerSecond = Math.round(events / seconds);
    const result = {
      events,
      projections: projections.length,
      baselineReadEventsPerSecond: readPerSecond,
      rebuildEventsPerSecondPerProjection: rebuildPerSecond,
      rebuildSeconds: Number(seconds.toFixed(2)),
      baselineOverRebuild: Number((readPerSecond / rebuildPerSecond).toFixed(1)),
    };
    log(`read ${readPerSecond} events/s; rebuild of ${projections.length} projections ${rebuildPerSecond} events/s each (${result.rebuildSeconds} s): reading alone is ${result.baselineOverRebuild}x faster`);
    return result;
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
