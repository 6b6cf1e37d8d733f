import { z } from 'zod';
import { ERROR_CODES } from '../../contract/errors';
import { EventsPage, FEED_CALL_METHODS } from '../../contract/feed';
import { methods } from '../../contract/methods';
import { IDEMPOTENCY_KEY } from './calls';

/**
 * `GET /feed/v1/openapi.json`: OpenAPI 3.1 generated from the same zod schemas dispatch
 * validates with (contract/), so the document cannot drift from what the desk accepts.
 */
const schemaOf = (s: z.ZodType, io: 'input' | 'output' = 'input') => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return rest;
};

const errorEnvelope = {
  type: 'object',
  required: ['ok', 'error'],
  properties: {
    ok: { const: false },
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { enum: [...ERROR_CODES] }, message: { type: 'string' }, field: { type: 'string' } },
    },
  },
};
const refusal = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});
const retryAfter = { 'Retry-After': { description: 'Seconds to wait before sending again.', schema: { type: 'integer', minimum: 1 } } };
const common = {
  '400': refusal('VALIDATION: the input is not what the method takes (the field is named).'),
  '401': refusal('UNAUTHENTICATED: the token is unknown or revoked.'),
  '429': { ...refusal('RATE_LIMITED: too many calls; wait Retry-After seconds.'), headers: retryAfter },
  '503': {
    ...refusal(
      'UNAVAILABLE: the desk is busy (the image queue is full, the database is away); nothing was kept under the key, send again after Retry-After seconds.',
    ),
    headers: retryAfter,
  },
};
/** A call's or an upload's answer: `{ok: true, value}` (the value as the method's answer in SCENARIOS.md). */
const accepted = (description: string) => ({
  description,
  content: {
    'application/json': {
      schema: { type: 'object', required: ['ok', 'value'], properties: { ok: { const: true }, value: { type: 'object' } } },
    },
  },
});
const ruleRefusals = {
  '404': refusal('NOT_FOUND: no such case in this feed.'),
  '409': refusal('A rule refused the call (e.g. DEADLINE_PASSED), or CONFLICT: the key was used with another body.'),
  '413': refusal('FILE_TOO_LARGE'),
  '415': refusal('UNSUPPORTED_FILE'),
};
const { '404': _notFound, ...noNotFound } = ruleRefusals;
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: true,
  description: '1–200 printable characters, unique per intended effect. The same key with the same body answers the first answer again.',
  // The server's own rule: printable ASCII, no space at either end (a header value's ends are trimmed anyway).
  schema: { type: 'string', minLength: 1, maxLength: 200, pattern: IDEMPOTENCY_KEY.source },
};

/** The page as the desk sends it: FEED.md's `{events, next}` and the `ok: true` every answer carries. */
function eventsAnswer(): Record<string, unknown> {
  const page = schemaOf(EventsPage, 'output') as { properties: Record<string, unknown>; required: string[] };
  return { ...page, properties: { ok: { const: true }, ...page.properties }, required: ['ok', ...page.required] };
}

let cached: unknown = null;

export function feedOpenApi(): unknown {
  if (cached) return cached;
  const paths: Record<string, unknown> = {};
  for (const m of FEED_CALL_METHODS)
    paths[`/feed/v1/call/${m}`] = {
      post: {
        operationId: m.replace('.', '_'),
        summary: `Call ${m}`,
        parameters: [idempotencyKey],
        requestBody: { required: true, content: { 'application/json': { schema: schemaOf(methods[m].input) } } },
        // intake.dispute names no existing case: another feed's dispute id is 409 DUPLICATE, never 404.
        responses: { '200': accepted('Accepted: {ok: true, value}'), ...common, ...(m === 'intake.dispute' ? noNotFound : ruleRefusals) },
      },
    };
  paths['/feed/v1/evidence/{caseId}/{party}'] = {
    post: {
      operationId: 'evidence_upload',
      summary: 'Streamed evidence files (1–10 `file` parts, optional `note`): all accepted or none',
      parameters: [
        { name: 'caseId', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'party', in: 'path', required: true, schema: { enum: ['buyer', 'seller'] } },
        idempotencyKey,
      ],
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              properties: {
                file: { type: 'array', items: { type: 'string', format: 'binary' }, minItems: 1, maxItems: 10 },
                note: { type: 'string' },
              },
              required: ['file'],
            },
          },
        },
      },
      responses: { '200': accepted("Accepted, as party.submitEvidence's answer"), ...common, ...ruleRefusals },
    },
  };
  paths['/feed/v1/events'] = {
    get: {
      operationId: 'events',
      summary: "This feed's events after a seq, in seq order",
      parameters: [
        { name: 'after', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
      ],
      responses: {
        '200': { description: '{ok: true, events, next}', content: { 'application/json': { schema: eventsAnswer() } } },
        ...common,
      },
    },
  };
  cached = {
    openapi: '3.1.0',
    info: { title: 'Mediation Desk feed API', version: '1', description: 'The marketplace connection (FEED.md).' },
    paths,
    components: {
      schemas: { Error: errorEnvelope },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearer: [] }],
  };
  return cached;
}
