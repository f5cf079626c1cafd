// The numbered drafts of each consultation, with their sections, as published.
import type { EventOf } from '../domain/events.ts';
import { perConsultation, type PerConsultationView, type Projection } from './projection.ts';

export interface DraftVersion {
  version: number;
  sections: EventOf<'DraftPublished'>['data']['sections'];
  /** the comment deadline for everyone (extensions included) */
  commentDeadline: string;
  note: string | null;
  publishedAt: string;
}

export interface DraftsEntry {
  drafts: DraftVersion[];
}

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
