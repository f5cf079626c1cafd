// The background check of every consultation's hash chain (VERIFY_INTERVAL) on a real SQLite
// file: a pass marks each damaged consultation, even one nobody reads or writes, and logs a
// summary; passes repeat every interval; stop() ends them.
import t from 'tap';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { DamageRegistry } from '../../src/audit/damage.ts';
import { HistoryVerifier } from '../../src/audit/verifier.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { openWithDraft } from '../helpers/consultation.ts';
import { tamperSqlite } from '../helpers/tamper.ts';
import { tempStore } from '../helpers/temp-store.ts';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 15_000; !condition(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

t.test('a pass marks each damaged consultation and logs a summary; the intact ones are not marked', async (t) => {
  const { store, file } = tempStore(t);
  const handler = new CommandHandler({ store });
  const [a, b, c] = [await openWithDraft(handler), await openWithDraft(handler), await openWithDraft(handler)];
  tamperSqlite(file, streamNameFor(a), 1, 'a changed actor');
  tamperSqlite(file, streamNameFor(c), 0, 'unparseable data');
  const damage = new DamageRegistry();
  const { logger, lines } = capturingLogger();
  const verifier = new HistoryVerifier({ store, damage, logger, intervalMs: 3_600_000 });
  t.teardown(() => verifier.stop());

  const report = await verifier.runOnce();
  t.match(report, { streams: 3, events: 6 });
  t.match(damage.list(), [
    { consultationId: a, streamName: streamNameFor(a), revision: 1, reason: 'hash does not match the event\'s content', detectedBy: 'verifier' },
    { consultationId: c, revision: 0, reason: /^data is not valid JSON: /, detectedBy: 'verifier' },
  ]);
  t.equal(damage.get(b), undefined);
  t.match(lines.find((l) => l.streams === 3), { level: 40, streams: 3, events: 6, broken: 2, msg: /2 of 3 consultations damaged/ });
});

t.test('passes repeat every interval until stop(), so damage done later is found too', async (t) => {
  const { store, file } = tempStore(t);
  const id = await openWithDraft(new CommandHandler({ store }));
  const damage = new DamageRegistry();
  const { logger, lines } = capturingLogger();
  const verifier = new HistoryVerifier({ store, damage, logger, intervalMs: 50, firstPassDelayMs: 0 });
  t.teardown(() => verifier.stop());
  verifier.start();
  await until(() => lines.some((l) => l.broken === 0), 'a first pass that finds nothing');
  tamperSqlite(file, streamNameFor(id), 1, 'a changed byte in data');
  await until(() => damage.get(id) !== undefined, 'a later pass to find the damage');
  t.match(damage.get(id), { revision: 1, detectedBy: 'verifier' });

  await verifier.stop();
  const passes = lines.length;
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.equal(lines.length, passes, 'no pass after stop()');
});

t.test('a pass over a store that cannot be read logs it and resolves with null', async (t) => {
  const { store } = tempStore(t);
  const { logger, lines } = capturingLogger();
  const verifier = new HistoryVerifier({ store, damage: new DamageRegistry(), logger, intervalMs: 3_600_000 });
  await store.close();
  t.equal(await verifier.runOnce(), null);
  t.match(lines.at(-1), { level: 40, msg: /could not read the store/ });
  await verifier.stop();
});
