// Erasure of one person's personal data (crypto-shredding, src/privacy/erasure.ts): a coordinator
// names the address; every consultation holding data of that person records PersonalDataErased
// and its keys are destroyed. The answer names the consultations, never the person.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Email, Reason } from '../../domain/schemas.ts';
import { AppError } from '../../errors/catalogue.ts';
import { ErasedConsultation, erasePerson } from '../../privacy/erasure.ts';
import { personalKeysOf } from '../../privacy/personal-store.ts';
import { principalOf } from '../auth.ts';
import type { ResourcePlugin } from '../context.ts';
import { idempotencyKey, requireWritable } from '../run-command.ts';
import { commandErrors, COMMAND_HEADERS, problem } from '../schemas.ts';

const ErasureBody = z.strictObject({
  email: Email.describe('the person\'s address, as a contact, a reply\'s sender or the contact who signed'),
  reason: Reason.describe('why, for the record (e.g. the request\'s reference); do not name the person: it is kept'),
});

const ErasureAnswer = z.object({
  erasureId: z.string().describe('the Idempotency-Key when given: a retry records nothing again'),
  consultations: z.array(ErasedConsultation).describe('every consultation that held data of that person ([]: none holds any now)'),
});

export const privacyRoutes: ResourcePlugin = async (app, { ctx }) => {
  app.post('/privacy/erasures', {
    schema: {
      operationId: 'erasePersonalData',
      tags: ['privacy'],
      summary: 'Erase one person\'s personal data in every consultation (coordinators)',
      description: 'Destroys the keys the person\'s name and address (and the names they signed with, and the sender address of '
        + 'replies they sent) were sealed with, in every consultation, open, closed or damaged, and records `PersonalDataErased` in '
        + 'each (no personal data in it). Afterwards views, exports, CSV, mail and pages show `[erased]`; the organisation, its '
        + 'comments and decisions stay; no mail can reach that contact and its links are refused; the hash chains still verify. '
        + 'Data stored before personal data was sealed (events written by earlier versions) cannot be erased this way: see the README.',
      headers: COMMAND_HEADERS,
      body: ErasureBody,
      response: { 200: ErasureAnswer, ...commandErrors, 501: problem('NO_KEY_STORE: the server runs without a key store') },
    },
  }, async (request) => {
    const principal = principalOf(request);
    if (principal.role !== 'coordinator') throw new AppError('FORBIDDEN', 'only coordinators may erase personal data');
    const keys = personalKeysOf(ctx.store);
    if (!keys) throw new AppError('NO_KEY_STORE', 'this server keeps no key store of personal data');
    requireWritable(ctx);
    const erasureId = idempotencyKey(request) ?? randomUUID();
    const erased = await erasePerson(
      { store: ctx.store, keys, handler: ctx.handler, dataDir: ctx.dataDir ?? undefined },
      { erasureId, email: request.body.email, reason: request.body.reason, actor: { role: principal.role, id: principal.subject } },
    );
    // the views forget the values before the answer (read-your-writes)
    for (const { position } of erased) await ctx.runner.waitFor(position, ctx.readYourWritesMs);
    const consultations = erased.map((e) => e.erased);
    request.log.info({ erasureId, consultations: consultations.map((c) => c.consultationId) }, 'personal data erased');
    return { erasureId, consultations };
  });
};
