// `deadline-rush`: the last hours before a comment deadline on ONE consultation, over HTTP: 60
// stakeholders at once, each sending its 50 comments one after another (--quick: 10 x 10), through
// the real app listening on 127.0.0.1 with a real SQLite store (synchronous=FULL). Issue 9's target:
// every comment recorded, p99 at most 100 ms. (Commands for one stream run one at a time.)
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pino } from 'pino';
import { DamageRegistry } from '../src/audit/damage.ts';
import { mintToken } from '../src/auth/tokens.ts';
import { CommandHandler } from '../src/commands/handler.ts';
import { commands } from '../src/commands/index.ts';
import { buildApp } from '../src/http/app.ts';
import { projections } from '../src/projections/index.ts';
import { ProjectionRunner } from '../src/projections/runner.ts';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.ts';
import { SqliteViewStore } from '../src/views/sqlite-view-store.ts';
import { inTempDir, latencySummary, target, type BenchOptions, type Log } from './common.ts';

const SECRET = 'bench-secret-0123456789abcdef0123456789';
const COORDINATOR = { role: 'coordinator', id: 'bench' } as const;

export async function run(log: Log, options: BenchOptions) {
  const stakeholderCount = options.quick ? 10 : 60;
  const perStakeholder = options.quick ? 10 : 50;
  return inTempDir('bench-rush-', async (dir) => {
    const store = new SqliteEventStore({ file: join(dir, 'events.sqlite') });
    const damage = new DamageRegistry();
    const handler = new CommandHandler({ store, damage });
    const viewStore = new SqliteViewStore({ file: join(dir, 'views.sqlite'), synchronous: 'NORMAL' }); // as the server keeps them (open-view-store.ts)
    const runner = new ProjectionRunner({ store, projections, damage, viewStore });
    await runner.start();
    const app = await buildApp({ store, runner, handler, damage, logger: pino({ level: 'silent' }), storeKind: 'sqlite', authSecret: SECRET });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const id = randomUUID();
      const exec = (command: Parameters<CommandHandler['execute']>[0], input: unknown) => handler.execute(command, { consultationId: id, commandId: randomUUID(), actor: COORDINATOR, input });
      await exec(commands.openConsultation, { title: 'Rush', leadOrganisation: 'Gender Office', languages: ['en'], timeZone: 'UTC' });
      await exec(commands.publishDraft, { sections: [{ key: 's1', heading: 'Participation', text: '...' }], commentDeadline: '2099-01-01T00:00:00Z' });
      const sids: string[] = [];
      for (let s = 0; s < stakeholderCount; s++) {
        const r = await exec(commands.inviteStakeholder, { organisation: `Organisation ${s}`, kind: 'civil-society', contacts: [{ name: 'Focal point', email: `o${s}@example.org` }], language: 'en' });
        sids.push(r.events[0]!.data['stakeholderId'] as string);
      }
      await runner.caughtUp();
      const { token } = await mintToken(SECRET, { role: 'coordinator', subject: 'bench' });
      const ms: number[] = [];
      let failed = 0;
      log(`${stakeholderCount} stakeholders x ${perStakeholder} comments, each stakeholder's one after another`);
      const started = performance.now();
      await Promise.all(sids.map(async (stakeholderId) => {
        for (let n = 0; n < perStakeholder; n++) {
          const t0 = performance.now();
          const res = await fetch(`${address}/consultations/${id}/comments`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
            body: JSON.stringify({ stakeholderId, draftVersion: 1, sectionKey: 's1', text: `Comment ${n}: name the budget line for shelters.` }),
          });
          await res.arrayBuffer();
          ms.push(performance.now() - t0);
          if (res.status !== 201) failed++;
        }
      }));
      const seconds = (performance.now() - started) / 1000;
      const recorded = (await store.readStream(`consultation-${id}`)).filter((e) => e.type === 'CommentSubmitted').length;
      const latency = latencySummary(ms);
      const expected = stakeholderCount * perStakeholder;
      log(`${recorded}/${expected} recorded in ${seconds.toFixed(1)} s (${failed} not 201); p50 ${latency.p50} ms, p99 ${latency.p99} ms`);
      return {
        stakeholders: stakeholderCount, commentsEach: perStakeholder, recorded, expected, non201: failed,
        commandsPerSecond: Math.round(expected / seconds), latencyMs: latency,
        ...target('recorded == expected and p99 <= 100 ms', recorded === expected && latency.p99 <= 100),
      };
    } finally {
      await app.close();
      await runner.stop();
      await viewStore.close();
      await store.close();
    }
  });
}
