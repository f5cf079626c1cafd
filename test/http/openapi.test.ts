// The OpenAPI document is generated from the routes' zod schemas: every route of the API is in it
// under a stable operationId named for what it does, with its request body, parameters and every
// error status it can answer as application/problem+json; it says where the API is served, under
// which licence and whom to contact.
import t from 'tap';
import type { OpenAPIV3 } from 'openapi-types';
import { startApi } from '../helpers/http.ts';

/** Every operation: method, path, operationId. The operationIds are the API's names in generated clients: renaming one breaks them. */
const OPERATIONS: [string, string, string][] = [
  ['post', '/consultations', 'openConsultation'],
  ['get', '/consultations', 'listConsultations'],
  ['get', '/consultations/{id}', 'getConsultation'],
  ['post', '/consultations/{id}/deadlines', 'extendDeadline'],
  ['put', '/consultations/{id}/reminders', 'configureReminders'],
  ['put', '/consultations/{id}/notify-emails', 'changeNotifyEmails'],
  ['post', '/consultations/{id}/close', 'closeConsultation'],
  ['get', '/consultations/{id}/events', 'getHistory'],
  ['get', '/consultations/{id}/head', 'getHead'],
  ['get', '/consultations/{id}/export', 'exportConsultation'],
  ['post', '/privacy/erasures', 'erasePersonalData'],
  ['get', '/audit/public-key', 'getAuditPublicKey'],
  ['post', '/consultations/{id}/drafts', 'publishDraft'],
  ['get', '/consultations/{id}/drafts', 'listDrafts'],
  ['get', '/consultations/{id}/drafts/{version}', 'getDraft'],
  ['post', '/consultations/{id}/stakeholders', 'inviteStakeholder'],
  ['post', '/consultations/{id}/stakeholders/import', 'importStakeholders'],
  ['get', '/consultations/{id}/stakeholders', 'listStakeholders'],
  ['get', '/consultations/{id}/stakeholders/{sid}', 'getStakeholder'],
  ['post', '/consultations/{id}/stakeholders/{sid}/response', 'respondToInvitation'],
  ['put', '/consultations/{id}/stakeholders/{sid}/contacts', 'changeContacts'],
  ['patch', '/consultations/{id}/stakeholders/{sid}', 'changeStakeholderDetails'],
  ['delete', '/consultations/{id}/stakeholders/{sid}', 'removeStakeholder'],
  ['post', '/consultations/{id}/stakeholders/{sid}/reinstate', 'reinstateStakeholder'],
  ['post', '/consultations/{id}/stakeholders/{sid}/review', 'completeReview'],
  ['post', '/consultations/{id}/stakeholders/{sid}/resend-invitation', 'resendInvitation'],
  ['get', '/consultations/{id}/stakeholders/{sid}/messages', 'listStakeholderMessages'],
  ['get', '/consultations/{id}/stakeholders/{sid}/messages/preview', 'previewMessage'],
  ['post', '/consultations/{id}/messages', 'recordMessageSent'],
  ['post', '/consultations/{id}/delivery-failures', 'recordDeliveryFailure'],
  ['post', '/consultations/{id}/comments', 'submitComment'],
  ['get', '/consultations/{id}/comments', 'getCommentMatrix'],
  ['get', '/consultations/{id}/comments/{cid}', 'getComment'],
  ['post', '/consultations/{id}/comments/{cid}/answer', 'answerComment'],
  ['post', '/consultations/{id}/comments/{cid}/retract', 'retractComment'],
  ['post', '/consultations/{id}/endorsement-requests', 'requestEndorsement'],
  ['delete', '/consultations/{id}/endorsement-requests/{version}', 'cancelEndorsementRequest'],
  ['post', '/consultations/{id}/endorsements', 'decideEndorsement'],
  ['get', '/consultations/{id}/sign-off', 'getSignOff'],
  ['get', '/consultations/{id}/held-replies', 'getHeldReplies'],
  ['post', '/consultations/{id}/held-replies/{hid}/accept', 'acceptHeldReply'],
  ['post', '/consultations/{id}/held-replies/{hid}/discard', 'discardHeldReply'],
  ['get', '/consultations/{id}/attachments/{sha256}', 'getAttachment'],
  ['get', '/healthz', 'getHealth'],
  ['get', '/readyz', 'getReadiness'],
];

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const PROBLEM_REF = '#/components/schemas/Problem';

type Api = Awaited<ReturnType<typeof startApi>>;

async function documentOf(api: Api): Promise<OpenAPIV3.Document> {
  const res = await api.call({ url: '/docs/json', as: null });
  if (res.statusCode !== 200) throw new Error(`/docs/json answered ${res.statusCode}`);
  return res.json() as OpenAPIV3.Document;
}

/** Every operation in the document, with its method and path. */
function operationsOf(doc: OpenAPIV3.Document): { method: string; path: string; op: OpenAPIV3.OperationObject }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => (item?.[method] ? [{ method, path, op: item[method] }] : [])));
}

/** Whether a response is application/problem+json with the Problem schema. */
function isProblem(response: OpenAPIV3.ResponseObject | OpenAPIV3.ReferenceObject | undefined): boolean {
  const content = response && 'content' in response ? response.content : undefined;
  const schema = content?.['application/problem+json']?.schema;
  return schema !== undefined && '$ref' in schema && schema.$ref === PROBLEM_REF;
}

t.test('every route is documented under its operationId, commands with their body and error responses', async (t) => {
  const api = await startApi(t);
  const doc = await documentOf(api);
  t.match(doc.openapi, /^3\./);
  t.ok(doc.components?.securitySchemes?.['bearer'], 'bearer tokens are described');
  for (const [method, path, operationId] of OPERATIONS) {
    const op = doc.paths[path]?.[method as (typeof METHODS)[number]];
    if (!t.ok(op, `${method.toUpperCase()} ${path} is documented`)) continue;
    t.equal(op!.operationId, operationId, `${method.toUpperCase()} ${path} is ${operationId}`);
    t.ok(op!.summary, `${operationId} has a summary`);
    t.ok(op!.tags?.length, `${operationId} is tagged`);
    if (method === 'post' || method === 'put' || method === 'patch') t.ok(op!.requestBody, `${operationId} documents its body`);
  }
  t.equal(operationsOf(doc).length, OPERATIONS.length, 'and no operation beyond these');

  const open = doc.paths['/consultations']!.post!;
  const body = open.requestBody as OpenAPIV3.RequestBodyObject;
  const schema = body.content['application/json']!.schema as OpenAPIV3.SchemaObject;
  t.strictSame(Object.keys(schema.properties ?? {}).sort(), ['languages', 'leadOrganisation', 'notifyEmails', 'summary', 'timeZone', 'title'], 'the body is the command\'s own schema');
  const answer = doc.paths['/consultations/{id}/comments/{cid}/answer']!.post!;
  t.ok((answer.parameters as OpenAPIV3.ParameterObject[]).some((p) => p.name === 'cid' && p.in === 'path'));

  const ui = await api.call({ url: '/docs', as: null });
  t.ok(ui.statusCode === 200 || ui.statusCode === 302, 'Swagger UI is served');
});

t.test('every operation has a unique operationId and answers its errors as problem+json', async (t) => {
  const doc = await documentOf(await startApi(t));
  const operations = operationsOf(doc);
  const ids = operations.map(({ op }) => op.operationId);
  t.notOk(ids.some((id) => id === undefined), 'every operation is named');
  t.equal(new Set(ids).size, ids.length, 'no two share a name');

  for (const { method, path, op } of operations) {
    const errors = Object.entries(op.responses).filter(([status]) => /^[45]/.test(status));
    t.ok(errors.some(([status, response]) => status.startsWith('4') && isProblem(response)), `${op.operationId} has a 4xx problem+json response`);
    // every other error status is problem+json too (the health checks' 503 also has their own body)
    for (const [status, response] of errors) t.ok(isProblem(response), `${method.toUpperCase()} ${path} ${status} is problem+json`);
  }
  const problem = doc.components?.schemas?.['Problem'] as OpenAPIV3.SchemaObject;
  t.strictSame(problem.required, ['type', 'status', 'code', 'title'], 'the problem body is a component, named once');
  t.strictSame(Object.keys(doc.components?.schemas ?? {}), ['Problem'], 'and no component nothing refers to');

  const routes = Object.fromEntries(operations.map(({ path, method, op }) => [op.operationId, { path, method, op }]));
  const statuses = (id: string) => Object.keys(routes[id]!.op.responses);
  t.ok(statuses('submitComment').includes('414'), 'a route with a path parameter documents 414 URI_TOO_LONG');
  t.notOk(statuses('openConsultation').includes('414'), 'one without does not');
  t.ok(['409', '412', '422'].every((s) => statuses('answerComment').includes(s)), 'a command documents the domain\'s 409 and 422 and If-Match\'s 412');
  const importErrors = routes['importStakeholders']!.op.responses as Record<string, OpenAPIV3.ResponseObject>;
  t.match(importErrors['413']!.description, /TOO_MANY_ROWS/, 'the CSV import documents its own 413');
  t.match(importErrors['415']!.description, /text\/csv/);
});

t.test('HEAD routes answer but are not documented as operations of their own', async (t) => {
  const api = await startApi(t);
  const doc = await documentOf(api);
  // Fastify adds a HEAD route for every GET (exposeHeadRoutes); @fastify/swagger leaves them out,
  // and they must stay out: one would repeat its GET's operationId.
  t.strictSame(operationsOf(doc).filter(({ method }) => method === 'head'), [], 'no HEAD operation');
  const head = await api.call({ method: 'HEAD', url: '/healthz', as: null });
  t.equal(head.statusCode, 200, 'HEAD /healthz answers');
});

t.test('servers follow PUBLIC_URL; info has the licence and a contact', async (t) => {
  const local = await documentOf(await startApi(t));
  t.strictSame(local.servers?.map((s) => s.url), ['/'], 'without PUBLIC_URL: the server the document is served from');
  const deployed = await documentOf(await startApi(t, { publicUrl: 'https://consult.example.gov/nap/' }));
  t.strictSame(deployed.servers?.map((s) => s.url), ['https://consult.example.gov/nap'], 'with it: PUBLIC_URL, without a trailing slash');

  t.strictSame(local.info.license, { name: 'EUPL-1.2', url: 'https://spdx.org/licenses/EUPL-1.2.html' }, 'the licence of LICENSE');
  t.match(local.info.contact, { name: String, email: /@/ });
  const described = new Set(local.tags?.filter((tag) => tag.description).map((tag) => tag.name));
  const used = new Set(operationsOf(local).flatMap(({ op }) => op.tags ?? []));
  t.strictSame([...used].filter((tag) => !described.has(tag)), [], 'every tag an operation carries is described');
});

t.test('the health checks need no token, and the document says so', async (t) => {
  const doc = await documentOf(await startApi(t));
  t.strictSame(doc.security, [{ bearer: [] }], 'the API needs a bearer token');
  t.strictSame(doc.paths['/healthz']!.get!.security, [], '/healthz does not');
  t.strictSame(doc.paths['/readyz']!.get!.security, [], '/readyz does not');
  t.strictSame(doc.paths['/audit/public-key']!.get!.security, [], 'nor the audit public key');
});
