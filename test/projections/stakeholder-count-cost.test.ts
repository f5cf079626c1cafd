// An event of one stakeholder costs every view the same whether the consultation has 4 stakeholders
// or 60 (a national action plan's ministries and CSOs): no head holds a list of every stakeholder,
// which each event (a comment most often) would rewrite.
import t from 'tap';
import { projections } from '../../src/projections/index.ts';
import {
  accepted, commented, CSO, cso, draft, endorsed, endorsementRequested, invited, jus, MFA, mfa, mod, opened,
} from '../helpers/domain-spec.ts';
import { costOf, recorded, type Command } from './fixtures/recorded.ts';

/** stakeholders besides the fixture's four, with ids as long as theirs (so only the count differs) */
const others = (n: number) =>
  Array.from({ length: n }, (_, i) => invited(`5c0f3a2e-0100-4000-8000-${String(i).padStart(12, '0')}`, `Organisation ${String(i).padStart(3, '0')}`, `o${i}@x.example`));

const cases: Array<[string, Command]> = [
  ['CommentSubmitted', commented('k-new', CSO)],
  ['InvitationAccepted', accepted(CSO)],
  ['DraftEndorsed', endorsed(MFA, 1)],
];

for (const projection of projections) {
  t.test(`${projection.name}: an event of one stakeholder costs the same with 60 stakeholders as with 4`, async (t) => {
    const history = (extra: number, then: Command) =>
      recorded([opened, draft(1), cso, mfa, mod, jus, ...others(extra), endorsementRequested(1), commented('k-1', CSO), then]);
    for (const [name, then] of cases) {
      const few = history(0, then);
      const many = history(56, then);
      const [a, b] = [await costOf(projection, few, few.length - 1), await costOf(projection, many, many.length - 1)];
      t.strictSame([b.reads, b.writes], [a.reads, a.writes], `${name}: ${a.reads} read, ${a.writes} written either way`);
      t.ok(b.bytes - a.bytes <= 24, `${name}: bytes written ${a.bytes} with 4 stakeholders, ${b.bytes} with 60 (the revision's digits aside)`);
    }
  });
}
