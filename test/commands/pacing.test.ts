// Pacing (CommandHandlerOptions.pace), on real SQLite stores: where this process writes the views,
// a command for a consultation first waits until the views have applied the handler's last append
// to it, so that the commands arriving meanwhile share one append; and it waits no longer than the
// bound when the views are stuck. The views lag for real: their subscription delivers live events late.
import t, { type Test } from 'tap';
import path from 'node:path';
import { CommandHandler, type CommandHandlerOptions } from '../../src/commands/handler.ts';
import { drafts } from '../../src/projections/drafts.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import type { EventStore } from '../../src/store/port.ts';
import { SqliteViewStore } from '../../src/views/sqlite-view-store.ts';
import { bounded } from '../helpers/bounded.ts';
import { comment, invite, openWithDraft } from '../helpers/consultation.ts';
import { withSlowSubscriptions } from '../helpers/slow-subscriptions.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';
import { viewRevision } from '../helpers/views.ts';

const VIEW_DELAY_MS = 150;

/** Real SQLite event and view stores, and a runner that writes the views, late by VIEW_DELAY_MS. */
async function setUp(t: Test, start = true) {
  const { store } = tempStore(t);
  const viewStore = new SqliteViewStore({ file: path.join(tempDir(t), 'views.sqlite') });
  t.teardown(() => viewStore.close());
  const runner = new ProjectionRunner({ store: withSlowSubscriptions(store, VIEW_DELAY_MS), projections: [drafts], viewStore });
  t.teardown(() => runner.stop());
  if (start) {
    await runner.start();
    await runner.caughtUp();
  }
  return { store, runner };
}

/** The handler's store, noting per append the revision the drafts view showed for the stream just before it. */
function observed(store: EventStore, runner: ProjectionRunner) {
  const appends: { streamName: string; viewAt: number | null }[] = [];
  const wrapped = new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'append') {
        return async (...args: Parameters<EventStore['append']>) => {
          const consultationId = args[0].replace(/^consultation-/, '');
          appends.push({ streamName: args[0], viewAt: await viewRevision(runner, drafts, consultationId) });
          return target.append(...args);
        };
      }
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: wrapped, appends };
}

const paced = (runner: ProjectionRunner, maxMs = 10_000): CommandHandlerOptions['pace'] => ({
  viewsAt: (position, timeoutMs) => runner.waitFor(position, timeoutMs),
  maxMs,
});

const tick = () => new Promise((resolve) => setImmediate(resolve));

t.test('with pace, a command waits until the views have applied the previous append to its consultation', async (t) => {
  const { store, runner } = await setUp(t);
  const { store: watched, appends } = observed(store, runner);
  const handler = new CommandHandler({ store: watched, pace: paced(runner) });
  const id = await openWithDraft(handler);
  const sid = await invite(handler, id, 'Women in Peace Network');
  const first = await comment(handler, id, sid, 'first');
  const before = appends.length;
  await comment(handler, id, sid, 'second');
  t.equal(appends.length, before + 1);
  t.equal(appends.at(-1)!.viewAt, first.revision, 'the view showed the first comment when the second was appended');
});

t.test('without pace, the same command is appended while the view is still behind (what the test above tells apart)', async (t) => {
  const { store, runner } = await setUp(t);
  const { store: watched, appends } = observed(store, runner);
  const handler = new CommandHandler({ store: watched });
  const id = await openWithDraft(handler);
  const sid = await invite(handler, id, 'Women in Peace Network');
  const first = await comment(handler, id, sid, 'first');
  await comment(handler, id, sid, 'second');
  t.ok(appends.at(-1)!.viewAt === null || appends.at(-1)!.viewAt! < first.revision, `the view showed ${appends.at(-1)!.viewAt}`);
});

t.test('with pace, commands arriving one after another while the views lag share one append', async (t) => {
  const { store, runner } = await setUp(t);
  const { store: watched, appends } = observed(store, runner);
  const handler = new CommandHandler({ store: watched, pace: paced(runner) });
  const id = await openWithDraft(handler);
  const sid = await invite(handler, id, 'Women in Peace Network');
  const first = await comment(handler, id, sid, 'first');
  const before = appends.length;
  const later: ReturnType<typeof comment>[] = [];
  for (const text of ['second', 'third', 'fourth']) {
    later.push(comment(handler, id, sid, text));
    await tick(); // each arrives on its own turn of the event loop
  }
  const results = await Promise.all(later);
  t.equal(appends.length - before, 1, 'one append for the three');
  t.same(results.map((r) => r.revision), [first.revision + 1, first.revision + 2, first.revision + 3]);
  t.same(appends.slice(before).map((a) => a.streamName), [streamNameFor(id)]);
});

t.test('views that never catch up hold a paced command no longer than the bound', async (t) => {
  const { store, runner } = await setUp(t, false); // never started: the views stay empty
  const handler = new CommandHandler({ store, pace: paced(runner, 50) });
  const id = await openWithDraft(handler);
  const sid = await invite(handler, id, 'Women in Peace Network');
  const result = await bounded(comment(handler, id, sid, 'first'), 'a paced command while the views are stuck', 5000);
  t.equal(result.revision, 3);
  t.equal(await viewRevision(runner, drafts, id), null, 'the views never applied anything');
});

t.test('a views wait that never settles: the handler\'s own timer ends it at the bound', async (t) => {
  const { store } = tempStore(t);
  let waits = 0;
  const handler = new CommandHandler({
    store,
    pace: { viewsAt: () => (waits++, new Promise<void>(() => {})), maxMs: 50 },
  });
  const id = await openWithDraft(handler);
  const sid = await invite(handler, id, 'Women in Peace Network');
  const result = await bounded(comment(handler, id, sid, 'first'), 'a paced command whose wait never settles', 5000);
  t.equal(result.revision, 3);
  t.equal(waits, 3, 'every command after the first waited (publish, invite, comment)');
});

t.test('nothing to wait for (viewsAt returns null: another process writes the views): no wait at all', async (t) => {
  const { store } = tempStore(t);
  let asked = 0;
  const handler = new CommandHandler({ store, pace: { viewsAt: () => (asked++, null) } });
  const id = await openWithDraft(handler);
  const sid = await invite(handler, id, 'Women in Peace Network');
  t.equal((await comment(handler, id, sid, 'first')).revision, 3);
  t.equal(asked, 3);
});
