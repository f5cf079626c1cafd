// The numbered drafts of each consultation, with their sections, as published.
//
// The view's shape is its zod schema (DraftsEntry); the routes serve it and its drafts with it.
import { z } from 'zod';
import { StoredSection } from '../domain/events.ts';
import { perConsultation, type PerConsultationView, type Projection } from './projection.ts';

export const DraftVersion = z.object({
  version: z.number().int(),
  sections: z.array(StoredSection),
  /** the comment deadline for everyone (extensions included) */
  commentDeadline: z.string(),
  note: z.string().nullable(),
  publishedAt: z.string(),
});
export type DraftVersion = z.infer<typeof DraftVersion>;

export const DraftsEntry = z.object({ drafts: z.array(DraftVersion) });
export type DraftsEntry = z.infer<typeof DraftsEntry>;

export type DraftsView = PerConsultationView<DraftsEntry>;

export const drafts: Projection<DraftsView> = perConsultation<DraftsEntry>({
  name: 'drafts',
  version: 1,
  open: () => ({ drafts: [] }),
  apply(entry, e, at) {
    switch (e.type) {
      case 'DraftPublished':
        if (entry.drafts.some((d) => d.version === e.data.version)) return entry;
        return {
          drafts: [...entry.drafts, {
            version: e.data.version,
            sections: e.data.sections,
            commentDeadline: e.data.commentDeadline,
            note: e.data.note ?? null,
            publishedAt: at.recordedAt,
          }],
        };
      case 'DeadlineExtended':
        if (e.data.phase !== 'comments' || e.data.stakeholderId !== undefined) return entry;
        return { drafts: entry.drafts.map((d) => (d.version === e.data.draftVersion ? { ...d, commentDeadline: e.data.deadline } : d)) };
      default:
        return entry;
    }
  },
});
