import { z } from 'zod';
import { defineCommand } from './command.ts';
import { DomainError } from '../domain/errors.ts';
import { event, type DomainEvent } from '../domain/events.ts';
import { translationProblems } from '../domain/languages.ts';
import { COORDINATOR_ONLY, isAfter, requireOpen, requireRole } from '../domain/rules.ts';
import { DRAFT_MAX_SECTIONS, DRAFT_SECTIONS_MAX_BYTES, Instant, MultiLine, Section } from '../domain/schemas.ts';

/** How many bytes the sections take in the stored event (its data is JSON, UTF-8). */
export function storedSize(sections: readonly Section[]): number {
  return Buffer.byteLength(JSON.stringify(sections), 'utf8');
}

/** A draft's sections, every language included: at most DRAFT_MAX_SECTIONS, at most DRAFT_SECTIONS_MAX_BYTES as stored. */
export const DraftSections = z.array(Section).min(1).max(DRAFT_MAX_SECTIONS).superRefine((sections, ctx) => {
  const size = storedSize(sections);
  if (size > DRAFT_SECTIONS_MAX_BYTES) {
    ctx.addIssue({
      code: 'custom',
      message: `the sections, every language included, take ${size} bytes as stored (UTF-8 JSON); at most ${DRAFT_SECTIONS_MAX_BYTES}, `
        + 'so that the draft fits in one event: shorten the texts or split the draft',
    });
  }
});

/** Publishes the next numbered draft. An open endorsement request is cancelled: only a new request asks again. */
export const publishDraft = defineCommand({
  name: 'PublishDraft',
  schema: z.strictObject({
    sections: DraftSections,
    commentDeadline: Instant,
    note: MultiLine(2_000).optional(),
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    const keys = new Set<string>();
    for (const s of input.sections) {
      if (keys.has(s.key)) throw new DomainError('DUPLICATE_SECTION_KEY', `section key "${s.key}" appears twice`);
      keys.add(s.key);
    }
    const { inFirstLanguage, notOffered } = translationProblems(state.languages, input.sections);
    if (inFirstLanguage.length > 0) {
      throw new DomainError('TRANSLATION_IN_FIRST_LANGUAGE',
        `"${state.languages[0]}" is the consultation's first language: a section's own heading and text are in it, not a translation`,
        { firstLanguage: state.languages[0], sections: inFirstLanguage.map((p) => p.sectionKey) });
    }
    if (notOffered.length > 0) {
      throw new DomainError('TRANSLATION_LANGUAGE_NOT_OFFERED',
        `the consultation's languages are ${state.languages.join(', ')}: no translation into ${[...new Set(notOffered.map((p) => p.language))].join(', ')}`,
        { languages: [...state.languages], translations: notOffered });
    }
    if (!isAfter(input.commentDeadline, ctx.now)) throw new DomainError('DEADLINE_IN_PAST');
    const version = state.latestVersion + 1;
    const events: DomainEvent[] = [event('DraftPublished', { version, ...input })];
    if (state.endorsementRequest) {
      events.push(event('EndorsementRequestCancelled', { draftVersion: state.endorsementRequest.draftVersion, reason: 'superseded' }));
    }
    return events;
  },
});
