// Concurrent writers from two processes on one SQLite file, and a writer killed with SIGKILL
// mid-append: every acknowledged command is there exactly once, none is half-written.
import t from 'tap';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CommandHandler } from '../../src/commands/handler.ts';
import { verifyStream } from '../../src/audit/hash-chain.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';
import { invite, openWithDraft } from '../helpers/consultation.ts';
import path from 'node:path';

t.setTimeout(120_000);

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

function runChild(script: string, args: string[]) {
  return spawn(process.execPath, ['--import', 'tsx/esm', fixture(script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

function exited(child: ReturnType<typeof runChild>, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

t.test('50 concurrent writers from two processes on one database file: every command once, revisions contiguous', async (t) => {
  const { store, file } = tempStore(t);
  const handler = new CommandHandler({ store });
  const id = await openWithDraft(handler);
  const sid = await invite(handler, id, 'Peace Institute');

  const children = ['A', 'B'].map((label) => runChild('comment-writer.ts', [file, id, sid, '25', label]));
  const results = await Promise.all(children.map((c) => exited(c, 90_000)));
  t.same(results.map((r) => r.code), [0, 0], 'both writers finished');

  const stored = await store.readStream(streamNameFor(id));
  const comments = stored.filter((e) => e.type === 'CommentSubmitted');
  t.equal(comments.length, 50, 'all 50 comments recorded');
  t.equal(new Set(comments.map((e) => e.metadata.commandId)).size, 50, 'each command exactly once');
  const texts = comments.map((e) => e.data.text as string);
  t.equal(texts.filter((x) => x.startsWith('A ')).length, 25);
  t.equal(texts.filter((x) => x.startsWith('B ')).length, 25);
  t.same(stored.map((e) => e.revision), stored.map((_, i) => i), 'revisions contiguous');
  t.equal((await verifyStream(store, streamNameFor(id))).ok, true, 'the hash chain holds across processes');
});

t.test('SIGKILL while appending multi-event commands: no half-written command, every acknowledged one present', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'events.sqlite');
  const setup = new SqliteEventStore({ file });
  const handler = new CommandHandler({ store: setup });
  const ids = [await openWithDraft(handler), await openWithDraft(handler), await openWithDraft(handler)];
  await setup.close();

  const child = runChild('crash-writer.ts', [file, ...ids]);
  const acks: { consultationId: string; commandId: string; revision: number }[] = [];
  const done = exited(child, 90_000);
  await new Promise<void>((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [word, consultationId, commandId, revision] = line.split(' ');
      if (word !== 'ack' || !consultationId || !commandId) return;
      acks.push({ consultationId, commandId, revision: Number(revision) });
      if (acks.length === 60) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', () => resolve());
  });
  const { signal } = await done;
  t.equal(signal, 'SIGKILL', 'the writer was killed, not finished');
  t.ok(acks.length >= 60, `${acks.length} appends were acknowledged before the kill`);

  const store = new SqliteEventStore({ file });
  t.teardown(() => store.close());
  for (const id of ids) {
    const events = await store.readStream(streamNameFor(id));
    const byCommand = new Map<string, typeof events>();
    for (const e of events) {
      const key = e.metadata.commandId as string;
      byCommand.set(key, [...(byCommand.get(key) ?? []), e]);
    }
    for (const ack of acks.filter((a) => a.consultationId === id)) {
      const found = byCommand.get(ack.commandId);
      t.ok(found && found.at(-1)!.revision === ack.revision, `acknowledged command at revision ${ack.revision} is present`);
    }
    for (const [commandId, group] of byCommand) {
      const types = group.map((e) => e.type);
      if (types[0] === 'DraftPublished' && (group[0]!.data.version as number) > 1) {
        if (!t.same(types, ['DraftPublished', 'EndorsementRequestCancelled'], `publish ${commandId} complete`)) break;
      }
    }
    t.same(events.map((e) => e.revision), events.map((_, i) => i), 'revisions contiguous after the crash');
    t.equal((await verifyStream(store, streamNameFor(id))).ok, true, 'hash chain intact after the crash');
  }
});
