// The numbered drafts of each consultation, with their sections, as published.
//
// Documents: the head (per consultation) holds the versions' facts (deadline, note, publication
// time); each version's sections, the bulk of the text, are a document of their own
// ("<consultation>/<version>"), written once when the version is published.
//
// The view's shape is its zod schema (DraftsEntry); the routes serve it and its drafts with it.
import { z } from 'zod';
import { StoredSection } from '../domain/events.ts';
import { collection, docKey, perConsultation } from './projection.ts';

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

const DraftFacts = DraftVersion.omit({ sections: true });
const DraftsHead = z.object({ drafts: z.array(DraftFacts) });
type DraftsHead = z.infer<typeof DraftsHead>;

const Sections = collection('sections', z.object({ version: z.number().int(), sections: z.array(StoredSection) }));

export const drafts = perConsultation<DraftsHead, DraftsEntry>({
  name: 'drafts',
  version: 2,
  head: DraftsHead,
  collections: [Sections],
  open: () => ({ drafts: [] }),
  apply(head, e, at, docs) {
    switch (e.type) {
      case 'DraftPublished':
        if (head.drafts.some((d) => d.version === e.data.version)) return;
        head.drafts.push({ version: e.data.version, commentDeadline: e.data.commentDeadline, note: e.data.note ?? null, publishedAt: at.recordedAt });
        docs.put(Sections, docKey(at.consultationId, String(e.data.version)), { version: e.data.version, sections: e.data.sections }, e.data.version);
        return;
      case 'DeadlineExtended': {
        if (e.data.phase !== 'comments' || e.data.stakeholderId !== undefined) return;
        const d = head.drafts.find((x) => x.version === e.data.draftVersion);
        if (d) d.commentDeadline = e.data.deadline;
        return;
      }
      default:
        return;
    }
  },
}, async (head, reader, consultationId) => {
  const sections = new Map((await reader.list(Sections, `${consultationId}/`)).map((s) => [s.version, s.sections]));
  return { drafts: head.drafts.map((d) => ({ ...d, sections: sections.get(d.version) ?? [] })) };
});
