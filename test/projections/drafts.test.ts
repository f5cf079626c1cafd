// The drafts view: given these events, then these draft versions.
import t from 'tap';
import { event } from '../../src/domain/events.ts';
import { drafts, type DraftsEntry } from '../../src/projections/drafts.ts';
import { CSO, draft, opened } from '../helpers/domain-spec.ts';
import { at, recorded, viewAfter, type Command } from './fixtures/recorded.ts';

function draftsAfter(commands: Command[]): Promise<DraftsEntry> {
  return viewAfter(drafts, recorded(commands));
}

t.test('given DraftPublished twice, then both versions with their sections, deadline and publication time', async (t) => {
  const view = await draftsAfter([opened, draft(1, '2027-04-01T17:00:00+03:00', ['s1']), draft(2, '2027-05-01T17:00:00+03:00', ['s1', 's2'])]);
  t.strictSame(view, {
    drafts: [
      { version: 1, sections: [{ key: 's1', heading: 'Heading s1', text: 'Text of s1 in v1' }], commentDeadline: '2027-04-01T17:00:00+03:00', note: null, publishedAt: at(1) },
      {
        version: 2,
        sections: [{ key: 's1', heading: 'Heading s1', text: 'Text of s1 in v2' }, { key: 's2', heading: 'Heading s2', text: 'Text of s2 in v2' }],
        commentDeadline: '2027-05-01T17:00:00+03:00', note: null, publishedAt: at(2),
      },
    ],
  });
});

t.test('given a comment deadline extended for everyone, then the draft shows it; one stakeholder\'s extension does not', async (t) => {
  const extended = event('DeadlineExtended', { phase: 'comments', draftVersion: 1, deadline: '2027-04-15T17:00:00Z', previousDeadline: '2027-04-01T14:00:00Z', reason: 'Holidays' });
  const own = event('DeadlineExtended', { phase: 'comments', draftVersion: 1, deadline: '2027-05-15T17:00:00Z', previousDeadline: '2027-04-15T17:00:00Z', reason: 'Late', stakeholderId: CSO });
  const view = await draftsAfter([opened, draft(1), extended, own]);
  t.equal(view.drafts[0]!.commentDeadline, '2027-04-15T17:00:00Z');
});
