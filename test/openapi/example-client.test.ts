// The typed client is proved, not promised: the example in examples/client (openapi-fetch with the
// types openapi-typescript generated from openapi.json) runs its story against the real server as a
// process, each step answered as the API documents it; and as integrators run it, from the command line.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { issueToken } from '../../src/auth/tokens.ts';
import { ApiError, runStory } from '../../examples/client/example.ts';
import { eventually, startServerProcess } from '../helpers/server-process.ts';
import { tempDir } from '../helpers/temp-store.ts';

t.setTimeout(120_000);
const root = fileURLToPath(new URL('../..', import.meta.url));
const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const example = fileURLToPath(new URL('../../examples/client/example.ts', import.meta.url));
const AUTH_SECRET = 'example-client-test-secret-0123456789abcdef';
const PUBLIC_URL = 'https://consult.example.gov/nap';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

t.test('the example client against a running server', async (t) => {
  const server = startServerProcess(t, process.execPath, ['--import', 'tsx/esm', main], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: tempDir(t), LOG_LEVEL: 'info', AUTH_SECRET, PUBLIC_URL, NODE_ENV: 'development', EVENTSTORE_URL: '', VERIFY_INTERVAL: 'off', ROLE: 'api' },
  });
  const baseUrl = await server.address;
  t.ok(await eventually(async () => (await fetch(`${baseUrl}/readyz`)).status === 200, 30_000), 'the server is ready');
  const token = await issueToken(AUTH_SECRET, { role: 'coordinator', subject: 'Gender Office coordinator' });

  t.test('its story: open, publish a draft, invite, comment, answer', async (t) => {
    const story = await runStory({ baseUrl, token });
    t.match(story.consultation, { id: UUID, revision: 0 }, 'openConsultation: 201 with the new id');
    t.match(story.draft, { version: 1, revision: 1 }, 'publishDraft: 201, version 1');
    t.match(story.stakeholder, { stakeholderId: UUID, revision: 2 }, 'inviteStakeholder: 201 with the stakeholder\'s id');
    t.match(story.comment, { commentId: UUID, revision: 3 }, 'submitComment: 201 with the comment\'s id');
    t.strictSame(story.answer, { revision: 4 }, 'answerComment: 200 with the revision');
    t.strictSame(story.answered, { status: 'answered', disposition: 'accepted', response: 'The 30% target is in the next draft.' }, 'getComment: the matrix row shows the answer');

    const summary = await fetch(`${baseUrl}/consultations/${story.consultation.id}`, { headers: { authorization: `Bearer ${token}` } });
    t.match(await summary.json(), { currentDraftVersion: 1, counts: { invited: 1, commentsReceived: 1, commentsAnswered: 1 } }, 'the consultation shows what the example did');
  });

  t.test('a refused step is an ApiError with the problem the API answered', async (t) => {
    const auditor = await issueToken(AUTH_SECRET, { role: 'auditor', subject: 'Court of Audit' });
    const refused = await runStory({ baseUrl, token: auditor }).catch((error: unknown) => error);
    t.type(refused, ApiError, 'an auditor may not open a consultation');
    t.match(refused, { step: 'openConsultation', status: 403, problem: { code: 'FORBIDDEN', status: 403 } }, 'the typed problem body, with its code');
  });

  t.test('from the command line, as the README shows', async (t) => {
    const child = spawn(process.execPath, ['--import', 'tsx/esm', example], {
      cwd: root,
      env: { ...process.env, API_URL: baseUrl, TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.teardown(() => { child.kill('SIGKILL'); });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    t.equal(code, 0, 'exits 0', { stderr });
    t.match(stdout, /^opened consultation .+\npublished draft version 1\ninvited stakeholder .+\nsubmitted comment .+\nanswered it \(revision 4\)\nthe comment is answered \(accepted\)\n$/, 'each step printed');
  });

  t.test('the server it ran against documents PUBLIC_URL as its server', async (t) => {
    const doc = await (await fetch(`${baseUrl}/docs/json`)).json() as { servers: { url: string }[] };
    t.strictSame(doc.servers.map((s) => s.url), [PUBLIC_URL], 'main.ts passes PUBLIC_URL to the app');
  });
});
