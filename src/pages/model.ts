// What the reply page shows, from the consultation's state (what the link allows, the deadlines
// that apply to this stakeholder: the domain's rules) and its views (the organisation's comments
// and their answers, its endorsement, the draft in the page's language, the time zone).
import { randomUUID } from 'node:crypto';
import { commentDeadlineFor, endorsementDeadlineFor } from '../domain/rules.ts';
import { AppError } from '../errors/catalogue.ts';
import type { HttpContext } from '../http/context.ts';
import { formatDeadline, type Language } from '../mail/language.ts';
import { commentMatrix, readMatrixPage, type CommentRow } from '../projections/comment-matrix.ts';
import { consultationsList } from '../projections/consultations-list.ts';
import { draftInLanguage, drafts } from '../projections/drafts.ts';
import type { Projection } from '../projections/projection.ts';
import { readStakeholder, stakeholders } from '../projections/stakeholders.ts';
import { signOff, versionSignOff, type Decision } from '../projections/sign-off.ts';
import { LANGUAGE_NAMES, type PageCatalogue } from './catalogue.ts';
import type { FormName } from './forms.ts';
import type { LinkUse } from './link.ts';
import type { Lines, PageModel } from './templates.ts';

/** A stakeholder's comments shown on its page, at most (newest kept when there are more). */
const MAX_COMMENTS = 2000;

/** A form sent back with what was typed and what was wrong with it. */
export interface FormEcho {
  name: FormName;
  values: Record<string, string>;
  errors: Record<string, string>;
  /** the command id to send again (nothing was recorded under it) */
  commandId: string;
}

export interface PageInput {
  ctx: HttpContext;
  use: Extract<LinkUse, { ok: true }>;
  t: PageCatalogue;
  language: Language;
  locale: string;
  /** where the page is: /r/<token> */
  base: string;
  csrf: string;
  notice: string | null;
  problem: string | null;
  /** a section to preselect in the comment form (?section=) */
  section: string | null;
  echo: FormEcho | null;
}

const lines = (text: string): Lines => text.split('\n');
const paragraphs = (text: string): Lines[] => text.split(/\n\s*\n/).map(lines);

function languageName(tag: string): string {
  return (LANGUAGE_NAMES as Record<string, string>)[tag] ?? tag;
}

async function read<V>(ctx: HttpContext, projection: Projection & { read(r: ReturnType<HttpContext['runner']['reader']>, id: string, now?: string): Promise<{ view: V } | null> }, id: string): Promise<V> {
  const slot = await projection.read(ctx.runner.reader(projection), id, ctx.clock().toISOString());
  if (!slot) throw new AppError('VIEWS_REBUILDING', `the ${projection.name} view has not reached this consultation yet`);
  return slot.view;
}

export async function pageModel(p: PageInput): Promise<{ title: string; model: PageModel }> {
  const { ctx, use, t, language, locale, base } = p;
  const { state, stakeholder: x, subject } = use;
  const id = subject.consultationId;
  const timeZone = await ctx.timeZones.of(id);
  const when = (instant: string) => formatDeadline(instant, locale, timeZone);
  const [summary, draftsEntry, signOffView] = await Promise.all([
    read(ctx, consultationsList, id), read(ctx, drafts, id), read(ctx, signOff, id),
  ]);
  const row = (await readStakeholder(ctx.runner.reader(stakeholders), id, x.id))?.stakeholder;
  const matrix = await readMatrixPage(ctx.runner.reader(commentMatrix), id, { stakeholderId: x.id }, { after: null, limit: MAX_COMMENTS });
  if (!row || !matrix) throw new AppError('VIEWS_REBUILDING', 'the views have not reached this stakeholder yet');

  const full = use.access === 'full';
  const active = !x.removed && x.response !== 'declined';
  const q = `?lang=${language}`;
  const action = (form: FormName) => `${base}/${form}${q}`;
  const echo = (form: FormName) => (p.echo?.name === form ? p.echo : null);
  const commandId = (form: FormName) => echo(form)?.commandId ?? randomUUID();
  const contactName = (contactId: string | null) => {
    if (contactId === null) return null;
    return x.contacts.find((c) => c.contactId === contactId)?.name ?? row.contacts.find((c) => c.contactId === contactId)?.name ?? t.comments.formerContact;
  };
  const contact = x.contacts.find((c) => c.contactId === subject.contactId)!;

  const latest = draftsEntry.drafts.reduce<(typeof draftsEntry.drafts)[number] | null>((a, d) => (a === null || d.version > a.version ? d : a), null);
  const open = state.status === 'open';
  const deadlines: PageModel['deadlines'] = [];
  if (open && latest) deadlines.push({ label: t.deadlines.comments, value: when(commentDeadlineFor(state, x)) });
  if (open && x.endorser && state.endorsementRequest) deadlines.push({ label: t.deadlines.endorsement, value: when(endorsementDeadlineFor(state, x)) });
  if (use.until) deadlines.push({ label: t.deadlines.linkUntil, value: when(use.until) });

  let draft: PageModel['draft'] = null;
  let commentForm: PageModel['commentForm'] = null;
  let review: PageModel['review'] = null;
  const mayAct = full && active;
  if (latest) {
    const languages = draftsEntry.languages;
    const first = languages[0] ?? language;
    const shownIn = languages.includes(language) ? language : first;
    const inLanguage = draftInLanguage(latest, languages, shownIn);
    draft = {
      heading: t.draft.heading(latest.version),
      note: latest.note ? lines(latest.note) : null,
      sections: latest.sections.map((s, i) => {
        const own = inLanguage.sections[i]!;
        const missing = own.missing;
        const heading = missing ? s.heading : own.heading ?? s.heading;
        return {
          key: s.key,
          heading,
          untranslated: missing ? t.draft.untranslated(languageName(shownIn), languageName(first)) : null,
          textLang: missing || shownIn !== language ? first : null,
          paragraphs: paragraphs(missing ? s.text : own.text ?? s.text),
          commentHref: mayAct ? `${base}${q}&section=${encodeURIComponent(s.key)}#comment` : null,
          commentLabel: t.draft.commentOn(heading),
        };
      }),
    };
    if (mayAct) {
      const e = echo('comment');
      const selected = e?.values['section'] ?? p.section ?? '';
      commentForm = {
        action: action('comment'), commandId: commandId('comment'), draftVersion: latest.version,
        options: [{ value: '', label: t.comment.wholeDraft, selected: selected === '' },
          ...draft.sections.map((s) => ({ value: s.key, label: `${s.key}. ${s.heading}`, selected: s.key === selected }))],
        values: { text: e?.values['text'] ?? '', proposedText: e?.values['proposedText'] ?? '' },
        errors: { ...pick(e?.errors, 'text'), ...pick(e?.errors, 'proposedText') },
      };
      review = {
        done: row.reviewedVersions.includes(latest.version) ? t.review.done(latest.version) : null,
        explain: t.review.explain(latest.version), action: action('review'), commandId: commandId('review'), draftVersion: latest.version,
      };
    }
  }

  let endorsement: PageModel['endorsement'] = null;
  const requested = state.endorsementRequest?.draftVersion ?? null;
  const version = versionSignOff(signOffView, requested ?? undefined);
  const mine = version?.endorsers.find((e) => e.stakeholderId === x.id);
  if (x.endorser && version && mine && (requested !== null || mine.status === 'endorsed' || mine.status === 'withheld')) {
    const e = echo('endorse') ?? echo('withhold');
    const by = (d: Decision) => contactName(d.contactId) ?? (d.actor?.role === 'coordinator' ? t.comments.coordinator : x.organisation);
    const status = mine.status === 'endorsed'
      ? t.endorsement.endorsed(`${mine.signatory.name}, ${mine.signatory.title}`, by(mine), when(mine.endorsedAt))
      : mine.status === 'withheld' ? t.endorsement.withheld(mine.reason, by(mine), when(mine.withheldAt)) : t.endorsement.pending;
    const forms = mayAct && requested !== null;
    endorsement = {
      heading: t.endorsement.heading(version.draftVersion),
      status: forms && mine.status !== 'pending' ? `${status} ${t.endorsement.changeable}` : status,
      forms, draftVersion: version.draftVersion,
      endorseAction: action('endorse'), endorseId: commandId('endorse'), withholdAction: action('withhold'), withholdId: commandId('withhold'),
      values: {
        signatoryName: e?.values['signatoryName'] ?? '', signatoryTitle: e?.values['signatoryTitle'] ?? '',
        statement: e?.values['statement'] ?? '', reason: e?.values['reason'] ?? '',
      },
      errors: { ...pick(e?.errors, 'signatoryName'), ...pick(e?.errors, 'signatoryTitle'), ...pick(e?.errors, 'statement'), ...pick(e?.errors, 'reason') },
    };
  }

  const invitation: PageModel['invitation'] = {
    status: x.response === 'accepted' ? t.invitation.accepted : x.response === 'declined' ? t.invitation.declined : t.invitation.pending,
    forms: full && !x.removed && x.response === 'pending',
    action: action('respond'), acceptId: commandId('respond'), declineId: randomUUID(),
  };

  const closed: PageModel['closed'] = state.status === 'closed' ? {
    outcome: signOffView.outcome === 'adopted' ? t.closed.adopted(signOffView.finalDraftVersion) : t.closed.withdrawn,
    readOnlyUntil: use.until ? t.closed.readOnlyUntil(when(use.until)) : '',
  } : null;

  return {
    title: t.pageTitle(summary.summary.title),
    model: {
      heading: summary.summary.title,
      ledBy: t.ledBy(summary.summary.leadOrganisation),
      forWhom: t.forWhom(contact.name, x.organisation),
      notice: p.notice,
      problem: p.problem,
      closed,
      deadlines,
      csrf: p.csrf,
      invitation,
      draft,
      noDraft: latest === null,
      commentForm,
      review,
      endorsement,
      comments: matrix.rows.map((c) => commentItem(c, t, when, contactName)),
    },
  };
}

function pick(errors: Record<string, string> | undefined, field: string): Record<string, string> {
  const e = errors?.[field];
  return e === undefined ? {} : { [field]: e };
}

function commentItem(c: CommentRow, t: PageCatalogue, when: (i: string) => string, contactName: (id: string | null) => string | null): PageModel['comments'][number] {
  return {
    ref: c.ref,
    where: c.sectionKey === null ? t.comments.wholeDraft : t.comments.section(c.sectionKey, c.sectionHeading),
    version: t.comments.version(c.draftVersion),
    by: t.comments.by(contactName(c.contactId) ?? t.comments.organisation),
    at: when(c.madeAt),
    status: c.status === 'retracted' ? t.comments.retracted : c.status === 'answered' ? t.comments.answer(t.comments.disposition[c.disposition!]) : t.comments.awaiting,
    text: lines(c.text),
    proposed: c.proposedText ? lines(c.proposedText) : null,
    answer: c.status === 'answered' && c.response !== null ? { label: t.comments.answer(t.comments.disposition[c.disposition!]), response: lines(c.response) } : null,
  };
}
