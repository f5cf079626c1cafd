// The mail relay: a named consumer of the log with its own durable checkpoint, which turns events
// into mail jobs (plan.ts) on the queue. It runs in a ProjectionRunner of its own (mail-system.ts),
// beside the views' runner and reading the same log, so that while Redis is down the relay waits
// and the views go on: its `apply` throws ConsumerRetryError when the queue does not take the jobs,
// the runner keeps the checkpoint before the batch and tries it again with backoff, and the relay
// catches up when Redis returns. The runner's writer lease makes it the one relay at a time; a second
// process waits to take over.
//
// At least once, never twice: a batch tried again adds the same jobs with the same ids, which the
// queue ignores; a job whose message is already recorded is dropped by the worker. On its very first
// start on a store that has history the relay begins at the head (startAt): it never e-mails the past.
import type { Logger } from 'pino';
import { HistoryDamagedError } from '../audit/damage.ts';
import type { CommandHandler } from '../commands/handler.ts';
import type { ReadonlyState } from '../domain/consultation.ts';
import { consultationIdOf } from '../domain/stream-name.ts';
import { ConsumerRetryError, recordedAtOf, type LogConsumer } from '../projections/projection.ts';
import type { JobSpec } from './jobs.ts';
import { planJobs, RELAYED_EVENTS } from './plan.ts';

/** Where the relay puts jobs: BullMQ in production (queue.ts), anything that keeps them in tests. */
export interface JobQueue {
  /** adds the jobs; one whose id is on the queue already is left as it is. Throws when the queue cannot take them. */
  add(jobs: readonly JobSpec[]): Promise<void>;
  /** takes waiting or delayed jobs off the queue (ids it does not hold are ignored) */
  remove(ids: readonly string[]): Promise<void>;
}

export interface RelayOptions {
  handler: Pick<CommandHandler, 'load'>;
  queue: JobQueue;
  /** REMINDER_OFFSETS in ms, longest first */
  reminderOffsetsMs: readonly number[];
  clock?: () => Date;
  /** the digests' period (default one day: the consultation's calendar day, in its time zone) */
  digestWindowMs?: number;
  logger?: Logger;
}

export const RELAY_NAME = 'mail-relay';
export const DAY_MS = 86_400_000;

export function mailRelay(options: RelayOptions): LogConsumer {
  const clock = options.clock ?? (() => new Date());
  const digestWindowMs = options.digestWindowMs ?? DAY_MS;
  return {
    name: RELAY_NAME,
    version: 1,
    collections: [],
    startAt: 'head',
    async apply(_docs, e) {
      const consultationId = consultationIdOf(e.streamName);
      if (!consultationId || !e.event || !RELAYED_EVENTS.has(e.event.type)) return;
      let state: ReadonlyState;
      try {
        state = await options.handler.load(consultationId);
      } catch (error) {
        if (error instanceof HistoryDamagedError) {
          options.logger?.error({ consultationId, err: error }, 'mail relay: the consultation\'s history is damaged; no mail for it');
          return;
        }
        throw new ConsumerRetryError(`mail relay: could not read consultation ${consultationId}`, { cause: error });
      }
      const commandId = typeof e.metadata['commandId'] === 'string' ? e.metadata['commandId'] : '';
      const plan = planJobs(state, {
        consultationId, revision: e.revision, recordedAt: recordedAtOf(e), commandId, event: e.event,
      }, { now: clock().getTime(), defaultOffsetsMs: options.reminderOffsetsMs, digestWindowMs });
      if (plan.add.length === 0 && plan.remove.length === 0) return;
      try {
        if (plan.remove.length > 0) await options.queue.remove(plan.remove);
        if (plan.add.length > 0) await options.queue.add(plan.add);
      } catch (error) {
        throw new ConsumerRetryError(`mail relay: the queue did not take the jobs for ${e.streamName}@${e.revision} (${e.type})`, { cause: error });
      }
      options.logger?.debug({ consultationId, revision: e.revision, type: e.type, jobs: plan.add.length, removed: plan.remove.length }, 'mail relay: jobs queued');
    },
  };
}
