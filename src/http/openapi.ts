// What the OpenAPI document says about itself: who runs the API, under which licence, where it is
// served, and what each tag groups. The operations come from the routes' own schemas (app.ts
// registers @fastify/swagger with the transforms below); nothing here describes a route.
//
// The contact is a placeholder: an operator that publishes the document sets its own team's
// address here (API_CONTACT), and `npm run openapi` writes the file again.
import type { SwaggerOptions } from '@fastify/swagger';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { OpenAPIV3 } from 'openapi-types';
import { documentedSchemas } from './schemas.ts';

export const API_CONTACT: OpenAPIV3.ContactObject = {
  name: 'WPS consultations team',
  email: 'wps-consult@example.org',
};

/** The product's licence, as in LICENSE at the repository's root. */
export const API_LICENSE: OpenAPIV3.LicenseObject = {
  name: 'EUPL-1.2',
  url: 'https://spdx.org/licenses/EUPL-1.2.html',
};

/** The tags, one per resource, in the order the operations are listed. */
export const API_TAGS: OpenAPIV3.TagObject[] = [
  { name: 'consultations', description: 'Open, list, extend deadlines, close' },
  { name: 'drafts', description: 'Numbered drafts and their sections' },
  { name: 'stakeholders', description: 'Invitations, contacts, removal and reinstatement, completed reviews, messages sent by other means' },
  { name: 'comments', description: 'Comments on a draft and the comment-resolution matrix' },
  { name: 'endorsements', description: 'Endorsement requests, endorsers\' decisions, the sign-off view' },
  { name: 'held replies', description: 'Replies by e-mail held for the coordinator (accept or discard), and the files that came with replies' },
  { name: 'audit', description: 'The raw history, for auditors' },
  { name: 'privacy', description: 'Erasure of a person\'s personal data (crypto-shredding): coordinators' },
  { name: 'health', description: 'Liveness and readiness (no token needed)' },
  { name: 'inbound', description: 'Mail in: replies and delivery reports forwarded by a mail provider (INBOUND_WEBHOOK_SECRET, no token)' },
];

/**
 * Where the API is served: PUBLIC_URL when the deployment has one; otherwise `/`, the server the
 * document itself is served from (the listening address is not known when the app is built).
 */
export function apiServers(publicUrl: string | undefined): OpenAPIV3.ServerObject[] {
  if (publicUrl === undefined) return [{ url: '/', description: 'the server this document is served from' }];
  return [{ url: publicUrl.replace(/\/+$/, ''), description: 'this deployment (PUBLIC_URL)' }];
}

/** @fastify/swagger's options: the document's head, and the zod schemas turned into JSON Schema. */
export function swaggerOptions(publicUrl: string | undefined): SwaggerOptions {
  const toDocument = createJsonSchemaTransformObject({ schemaRegistry: documentedSchemas });
  return {
    openapi: {
      info: {
        title: 'WPS National Action Plan consultations',
        version: '1',
        description: 'Coordinator and auditor API. Every command is an event on the consultation\'s stream. '
          + 'Errors are application/problem+json with a stable `code`.',
        contact: API_CONTACT,
        license: API_LICENSE,
      },
      servers: apiServers(publicUrl),
      tags: API_TAGS,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: createJsonSchemaTransform({ schemaRegistry: documentedSchemas }),
    // the named schemas become components; only those an operation refers to are kept (the
    // library adds an input twin, `ProblemInput`, of every output one, which nothing reads)
    transformObject: (document) => withoutUnusedSchemas(toDocument(document) as OpenAPIV3.Document),
  };
}

/** The document without the component schemas that no `$ref` names. */
function withoutUnusedSchemas(document: OpenAPIV3.Document): OpenAPIV3.Document {
  const schemas = document.components?.schemas;
  if (!schemas) return document;
  const { schemas: _, ...others } = document.components!;
  const referenced = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') referenced.add(value);
        else visit(value);
      }
    }
  };
  visit({ ...document, components: others });
  // a kept schema may name another one, and that one a third
  for (let known = -1; known !== referenced.size;) {
    known = referenced.size;
    for (const [name, schema] of Object.entries(schemas)) if (referenced.has(`#/components/schemas/${name}`)) visit(schema);
  }
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => referenced.has(`#/components/schemas/${name}`)));
  return { ...document, components: { ...others, schemas: kept } };
}
