// What every route module gets from the composition root.
import type { FastifyInstance, FastifyBaseLogger, FastifyPluginAsync, RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DamageRegistry } from '../audit/damage.ts';
import type { AuditSigningKey } from '../audit/signing-key.ts';
import type { CommandHandler } from '../commands/handler.ts';
import type { MailSettings } from '../mail/compose.ts';
import type { ProjectionRunner } from '../projections/runner.ts';
import type { EventStore } from '../store/port.ts';
import type { TimeZones } from './local-times.ts';
import type { StoreWrites } from './store-writes.ts';

export interface HttpContext {
  store: EventStore;
  handler: CommandHandler;
  runner: ProjectionRunner;
  /** the process's damaged consultations (refused by the damage guard, listed by /healthz) */
  damage: DamageRegistry;
  /** whether the store takes writes: a failed write marks it not, a probe marks it again */
  writes: StoreWrites;
  /** how long a command's response waits for the views to reflect it (default 5 s) */
  readYourWritesMs: number;
  /** each consultation's time zone, for the local times the views give (local-times.ts) */
  timeZones: TimeZones;
  /** DATA_DIR, where the attachments of replies by e-mail are stored (null: none are) */
  dataDir: string | null;
  /** the time of a request, for the views whose fields depend on it (the handler's clock: the same time commands see) */
  clock: () => Date;
  /** what messages are composed with (From, INBOUND_DOMAIN, PUBLIC_URL, the token keys): the mail workers' own, for previews */
  mail: MailSettings;
  /** the key consultation heads are signed with (AUDIT_SIGNING_KEY) */
  auditKey: AuditSigningKey;
}

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** A resource's routes: an encapsulated plugin registered inside the API plugin. */
export type ResourcePlugin = FastifyPluginAsync<{ ctx: HttpContext }, RawServerDefault, ZodTypeProvider>;
