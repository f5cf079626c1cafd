// The OpenAPI document is generated from the routes' zod schemas: every route of the API is in it,
// with its request body, parameters and error responses.
import t from 'tap';
import { startApi } from '../helpers/http.ts';

const ROUTES: [string, string][] = [
  ['post', '/consultations'], ['get', '/consultations'], ['get', '/consultations/{id}'],
  ['post', '/consultations/{id}/drafts'], ['get', '/consultations/{id}/drafts/{version}'],
  ['post', '/consultations/{id}/stakeholders'], ['post', '/consultations/{id}/stakeholders/import'],
  ['get', '/consultations/{id}/stakeholders'], ['post', '/consultations/{id}/stakeholders/{sid}/response'],
  ['put', '/consultations/{id}/stakeholders/{sid}/contacts'], ['delete', '/consultations/{id}/stakeholders/{sid}'],
  ['post', '/consultations/{id}/stakeholders/{sid}/reinstate'], ['post', '/consultations/{id}/stakeholders/{sid}/review'],
  ['post', '/consultations/{id}/comments'], ['get', '/consultations/{id}/comments'],
  ['post', '/consultations/{id}/comments/{cid}/answer'], ['post', '/consultations/{id}/comments/{cid}/retract'],
  ['post', '/consultations/{id}/endorsement-requests'], ['delete', '/consultations/{id}/endorsement-requests/{version}'],
  ['post', '/consultations/{id}/endorsements'], ['get', '/consultations/{id}/sign-off'],
  ['post', '/consultations/{id}/deadlines'], ['post', '/consultations/{id}/close'],
  ['post', '/consultations/{id}/messages'], ['post', '/consultations/{id}/delivery-failures'],
  ['get', '/consultations/{id}/events'], ['get', '/healthz'], ['get', '/readyz'],
];

type Operation = { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> }; parameters?: { name: string; in: string }[]; responses: Record<string, unknown> };

t.test('every route is documented, commands with their body and error responses', async (t) => {
  const api = await startApi(t);
  const res = await api.call({ url: '/docs/json', as: null });
  t.equal(res.statusCode, 200);
  const doc = res.json() as { openapi: string; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };
  t.match(doc.openapi, /^3\./);
  t.ok(doc.components.securitySchemes.bearer, 'bearer tokens are described');
  for (const [method, path] of ROUTES) {
    const op = doc.paths[path]?.[method];
    if (!t.ok(op, `${method.toUpperCase()} ${path} is documented`)) continue;
    if (method === 'post' || method === 'put') {
      t.ok(op!.requestBody, `${method.toUpperCase()} ${path} documents its body`);
      if (!path.startsWith('/healthz')) t.ok(op!.responses['409'] || op!.responses['400'], `${path} documents its errors`);
    }
  }
  const open = doc.paths['/consultations']!['post']!;
  const properties = Object.keys(open.requestBody!.content['application/json']!.schema.properties ?? {});
  t.strictSame(properties.sort(), ['languages', 'leadOrganisation', 'summary', 'timeZone', 'title'], 'the body is the command\'s own schema');
  t.ok(doc.paths['/consultations/{id}/comments/{cid}/answer']!['post']!.parameters!.some((p) => p.name === 'cid' && p.in === 'path'));
  const ui = await api.call({ url: '/docs', as: null });
  t.ok(ui.statusCode === 200 || ui.statusCode === 302, 'Swagger UI is served');
});
