// An integrator's client of the API, typed from its OpenAPI document: openapi-fetch with the types
// that openapi-typescript generated from openapi.json into ./api.d.ts (`npm run openapi` writes
// both). It lives the start of a consultation: open it, publish a draft, invite a stakeholder,
// submit a comment on its behalf and answer it, then read the answered comment back.
//
//   API_URL=http://127.0.0.1:3000 TOKEN=<a coordinator token> node --import tsx/esm examples/client/example.ts
//
// (`npx consult token --role coordinator --subject "..."` prints a token.) A mistyped path, a body
// field the API does not take or a missing path parameter is a type error here, caught by
// `npm run typecheck` before anything runs; test/openapi/example-client.test.ts runs it against a
// real server.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import createClient from 'openapi-fetch';
import type { components, paths } from './api.d.ts';

/** Every error answer's body: application/problem+json with a stable `code`. */
export type Problem = components['schemas']['Problem'];

/** A refused request, with the API's problem document. */
export class ApiError extends Error {
  constructor(readonly step: string, readonly status: number, readonly problem: Problem) {
    super(`${step}: ${status} ${problem.code}: ${problem.title}`);
    this.name = 'ApiError';
  }
}

/** What each step answered. */
export interface StoryResult {
  consultation: { id: string; revision: number };
  draft: { version: number; revision: number };
  stakeholder: { stakeholderId: string; revision: number };
  comment: { commentId: string; revision: number };
  answer: { revision: number };
  answered: { status: string; disposition: string | null; response: string | null };
}

/** The data of a 2xx answer, or an ApiError with the problem the API answered. */
function answerOf<D>(step: string, result: { data?: D; error?: Problem; response: Response }): D {
  if (result.error !== undefined) throw new ApiError(step, result.response.status, result.error);
  if (result.data === undefined) throw new Error(`${step}: ${result.response.status} without a body`);
  return result.data;
}

export async function runStory(options: { baseUrl: string; token: string; log?: (line: string) => void }): Promise<StoryResult> {
  const log = options.log ?? (() => {});
  const api = createClient<paths>({ baseUrl: options.baseUrl, headers: { authorization: `Bearer ${options.token}` } });
  // An Idempotency-Key per command: a retry after a lost answer returns the first result and appends nothing.
  const run = randomUUID();
  const key = (step: string) => ({ 'idempotency-key': `${run}/${step}` });

  const consultation = answerOf('openConsultation', await api.POST('/consultations', {
    params: { header: key('open') },
    body: {
      title: 'Third National Action Plan on Women, Peace and Security',
      summary: 'Consultation on the draft plan 2027-2031',
      leadOrganisation: 'Ministry of Defence, Gender Office',
      languages: ['en'],
      timeZone: 'Europe/Bucharest',
    },
  }));
  log(`opened consultation ${consultation.id}`);
  const id = consultation.id;

  const draft = answerOf('publishDraft', await api.POST('/consultations/{id}/drafts', {
    params: { path: { id }, header: key('draft') },
    body: {
      sections: [
        { key: 'participation', heading: 'Participation', text: 'Women participate meaningfully in peace processes.' },
        { key: 'protection', heading: 'Protection', text: 'Protection from gender-based violence in conflict.' },
      ],
      commentDeadline: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    },
  }));
  log(`published draft version ${draft.version}`);

  const stakeholder = answerOf('inviteStakeholder', await api.POST('/consultations/{id}/stakeholders', {
    params: { path: { id }, header: key('invite') },
    body: {
      organisation: 'Women Mediators Network',
      kind: 'civil-society',
      contact: { name: 'Amina Yusuf', email: 'amina@wmn.example' },
      language: 'en',
    },
  }));
  log(`invited stakeholder ${stakeholder.stakeholderId}`);

  const comment = answerOf('submitComment', await api.POST('/consultations/{id}/comments', {
    params: { path: { id }, header: key('comment') },
    body: {
      stakeholderId: stakeholder.stakeholderId,
      draftVersion: draft.version,
      sectionKey: 'participation',
      text: 'Name a target for women in mediation teams.',
      proposedText: 'At least 30% women in every mediation team by 2029.',
    },
  }));
  log(`submitted comment ${comment.commentId}`);

  const answer = answerOf('answerComment', await api.POST('/consultations/{id}/comments/{cid}/answer', {
    params: { path: { id, cid: comment.commentId }, header: key('answer') },
    body: { disposition: 'accepted', response: 'The 30% target is in the next draft.' },
  }));
  log(`answered it (revision ${answer.revision})`);

  const row = answerOf('getComment', await api.GET('/consultations/{id}/comments/{cid}', {
    params: { path: { id, cid: comment.commentId } },
  }));
  log(`the comment is ${row.status} (${row.disposition})`);

  return {
    consultation, draft, stakeholder, comment, answer,
    answered: { status: row.status, disposition: row.disposition, response: row.response },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const baseUrl = process.env['API_URL'] ?? 'http://127.0.0.1:3000';
  const token = process.env['TOKEN'];
  if (!token) {
    process.stderr.write('set TOKEN to a coordinator token (npx consult token --role coordinator --subject NAME)\n');
    process.exit(2);
  }
  try {
    await runStory({ baseUrl, token, log: (line) => process.stdout.write(`${line}\n`) });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
