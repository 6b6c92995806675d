/**
 * POST /v1/valuations and /v1/valuations/batch: a price with its range, the model version, the explanation and
 * warnings; GET /v1/valuations/{id}: a valuation as it was answered. The model is taken once per request, so a
 * champion switch never changes it mid-request. Every valuation is stored (when a store is given) with an opaque
 * id, off the request's path; both POSTs honour Idempotency-Key.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { onSendHookHandler } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Normalisation, StoneToValue } from '../../diamond/index.js';
import { caratLimitProblem, type LoadedModel, type Valuation as ModelValuation } from '../../model/index.js';
import { answerText, withNormalised } from '../answer-text.js';
import { idempotencyHooks } from '../idempotency.js';
import type { ModelSource } from '../model-source.js';
import type { QuoteStore } from '../quote-store.js';
import type { TrafficDrift } from '../traffic-drift.js';
import type { Valuations } from '../valuation-pool.js';
import { presentValuation } from '../present.js';
import {
  ApiProblem,
  capProblems,
  countProblems,
  MAX_BATCH_PROBLEMS,
  MORE_PROBLEMS,
  moreProblems,
  summarise,
  type FieldProblem,
} from '../problem.js';
import {
  BATCH_BODY_LIMIT,
  BatchEnvelope,
  BatchRequest,
  BatchResponse,
  EXAMPLE_STONE,
  EXAMPLE_VALUATION,
  ExplainQuery,
  MAX_BATCH,
  MAX_REF_LENGTH,
  Stone as StoneSchema,
  StoredValuation,
  Valuation,
  problemResponse,
  withExamples,
} from '../schemas.js';
import { checkStone, type StoneCheck } from '../stone-input.js';
import { validatorCompiler } from '../validator.js';

const SECURITY = [{ bearerAuth: [] }];

declare module 'fastify' {
  interface FastifyRequest {
    /** The valuation being answered, stored with the answer's text once it is sent. */
    quote: { id: string; at: number; stone: string; modelVersion: string } | null;
  }
}

export function servingModel(models: ModelSource): LoadedModel {
  const model = models.current;
  if (!model)
    throw new ApiProblem(
      'not-ready',
      'No model is loaded yet; the first one is being trained. Retry shortly.',
      undefined,
      { 'retry-after': '5' },
    );
  return model;
}

const ID_BYTES = 16;
const TIME_BYTES = 6;
const RANDOM_BYTES = ID_BYTES - TIME_BYTES;
/** Random bytes drawn 256 ids at a time: one call into the CSPRNG per 256 valuations instead of one each. */
const ID_POOL_BYTES = 256 * RANDOM_BYTES;
let idPool = Buffer.alloc(0);
let idOffset = 0;
const idBytes = Buffer.alloc(ID_BYTES);

/**
 * A new valuation id: the time in ms (48 bits), then 80 random bits, base64url. The random part makes ids
 * impossible to guess or enumerate (2^80 per millisecond); the time in front makes ids made together sort
 * together, so that storing them writes to the same few pages of the table's index instead of anywhere in it
 * (with fully random ids, storing cost grew with the table: 2× the index work per row at 200,000 rows). The time
 * tells nothing the answer's valuedAt does not.
 */
export function newValuationId(): string {
  if (idOffset + RANDOM_BYTES > idPool.length) {
    idPool = randomBytes(ID_POOL_BYTES);
    idOffset = 0;
  }
  idBytes.writeUIntBE(Date.now(), 0, TIME_BYTES);
  idPool.copy(idBytes, TIME_BYTES, idOffset, idOffset + RANDOM_BYTES);
  idOffset += RANDOM_BYTES;
  return `val_${idBytes.toString('base64url')}`;
}

const commonErrors = {
  400: problemResponse('The input is not valid: each problem names the field, what was wrong and what is allowed.'),
  401: problemResponse('No valid API key.', {
    type: '/problems/unauthorized',
    title: 'An API key is needed',
    status: 401,
    detail: 'This endpoint needs an API key: send it as "Authorization: Bearer lp_…".',
  }),
  429: problemResponse("The key's rate limit is used up; see Retry-After.", {
    type: '/problems/rate-limited',
    title: 'Too many requests',
    status: 429,
    detail: 'The key "ACME" may make 600 requests a minute; retry in 1 s.',
  }),
  422: problemResponse(
    'The stone is valid but beyond the limit of what Loupe prices (a carat limit; the errors list names it).',
    {
      type: '/problems/beyond-limit',
      title: 'Loupe does not price this stone',
      status: 422,
      detail:
        'Carat 9.5 ct is beyond the 7.52 ct limit of what Loupe prices with this model (1.5 × the heaviest stone the model learned from, 5.01 ct); a price so far past its data would be a guess. Have the stone appraised by an expert.',
      errors: [
        {
          field: 'carat',
          code: 'beyond_limit',
          message: 'Carat 9.5 ct is beyond the 7.52 ct limit …',
          allowed: 'at most 7.52 ct',
        },
      ],
    },
  ),
  503: problemResponse('No model loaded yet.', {
    type: '/problems/not-ready',
    title: 'Not ready',
    status: 503,
    detail: 'No model is loaded yet; the first one is being trained. Retry shortly.',
  }),
};
/** The stone's problem if it is beyond the carat limit of the model, with its field under `prefix`. */
function limitProblem(
  model: LoadedModel,
  stone: StoneToValue,
  maxCarat: number | undefined,
  prefix = '',
): FieldProblem | undefined {
  const problem = caratLimitProblem(model.artifact, stone, maxCarat);
  return problem && { ...problem, field: prefix + problem.field };
}

const conflict = {
  409: problemResponse('The Idempotency-Key was used in the last 24 hours with a different request.', {
    type: '/problems/idempotency-conflict',
    title: 'The Idempotency-Key was used for another request',
    status: 409,
    detail:
      'The Idempotency-Key "order-1234" was used in the last 24 hours with a different request; use a new key for a new request.',
  }),
};
const idempotencyHeader = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      description:
        'Makes a retry safe: the same key and request within 24 hours get the first answer again (same ids); 1 to 255 characters without control characters, e.g. a UUID.',
    }),
  ),
});

/** The ref of a batch item: absent, or a text of at most 100 characters; anything else is that item's problem. */
function batchRef(raw: unknown, index: number): { ref?: string; rest: unknown; problem?: FieldProblem } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !('ref' in raw)) return { rest: raw };
  const { ref, ...rest } = raw as Record<string, unknown>;
  const field = `stones/${index}/ref`;
  const allowed = `a text of at most ${MAX_REF_LENGTH} characters`;
  if (typeof ref !== 'string')
    return {
      rest,
      problem: {
        field,
        code: 'wrong_type',
        message: `ref must be a text, not ${ref === null ? 'null' : Array.isArray(ref) ? 'an array' : `a ${typeof ref}`}.`,
        allowed,
      },
    };
  if (ref.length > MAX_REF_LENGTH)
    return {
      rest,
      problem: {
        field,
        code: 'too_long',
        message: `ref is ${ref.length} characters long; at most ${MAX_REF_LENGTH} are allowed.`,
        allowed,
      },
    };
  return { ref, rest };
}

export const valuationRoutes: FastifyPluginAsyncTypebox<{
  models: ModelSource;
  valuations: Valuations;
  quotes: QuoteStore | null;
  maxCarat?: number;
  /** Live traffic summary (traffic-drift.ts); null: not kept. */
  traffic: TrafficDrift | null;
}> = async (app, { models, valuations, quotes, maxCarat, traffic }) => {
  app.decorateRequest('quote', null);
  // Route-level hooks, on the two POSTs only and only when valuations are stored: nothing else pays for them.
  const idempotency = quotes ? idempotencyHooks(quotes) : null;
  const idempotent = idempotency
    ? {
        preHandler: idempotency.preHandler,
        onResponse: idempotency.onResponse,
        onRequestAbort: idempotency.onRequestAbort,
      }
    : {};
  const saveAnswer: onSendHookHandler | null = quotes
    ? (request, reply, payload, done) => {
        const q = request.quote;
        if (q && reply.statusCode === 200 && typeof payload === 'string')
          quotes.saveValuation({ ...q, keyId: request.apiKey?.id ?? null, ref: null, answer: payload });
        done(null, payload);
      }
    : null;
  const onSend = (own: onSendHookHandler | null): { onSend?: onSendHookHandler[] } => {
    const hooks = [own, idempotency?.onSend].filter((h): h is onSendHookHandler => h !== null && h !== undefined);
    return hooks.length > 0 ? { onSend: hooks } : {};
  };
  /** The valuation as answered: with its id and time when it is stored, and what was read in another spelling. */
  const stamp = (
    valuation: ModelValuation,
    at: number,
    normalised: readonly Normalisation[],
  ): ModelValuation & { id?: string; valuedAt?: string } => {
    const v = withNormalised(valuation, normalised);
    return quotes
      ? { id: newValuationId(), valuedAt: new Date(at).toISOString(), ...presentValuation(v) }
      : presentValuation(v);
  };

  app.post(
    '/v1/valuations',
    {
      config: { scope: 'valuations' },
      ...idempotent,
      ...onSend(saveAnswer),
      schema: {
        tags: ['valuations'],
        operationId: 'createValuation',
        summary: 'Value one diamond',
        description:
          "The price (USD, to the dollar), the range (rounded as people quote it) and the coverage it was calibrated to, the model version, the explanation (a typical stone's price, then each characteristic's effect as a factor and in dollars) and warnings, with the id under which the valuation is kept (GET /v1/valuations/{id}). `?explain=false` skips the explanation.",
        security: SECURITY,
        querystring: ExplainQuery,
        headers: idempotencyHeader,
        body: withExamples(StoneSchema, EXAMPLE_STONE),
        response: { 200: withExamples(Valuation, EXAMPLE_VALUATION), ...commonErrors, ...conflict },
      },
      // Documented as a Stone, checked by checkStone: it reads a grade in another spelling, which the schema's
      // enum would refuse, and words every problem from the diamond schema.
      validatorCompiler: (route) =>
        validatorCompiler({ ...route, schema: route.httpPart === 'body' ? Type.Unknown() : route.schema }),
    },
    async (request, reply) => {
      const model = servingModel(models);
      request.modelVersion = model.version;
      const checked = checkStone(request.body);
      if (!checked.ok) throw new ApiProblem('invalid-input', summarise(checked.problems), checked.problems);
      const beyond = limitProblem(model, checked.stone, maxCarat);
      if (beyond) throw new ApiProblem('beyond-limit', beyond.message, [beyond]);
      const at = Date.now();
      const start = performance.now();
      // The answer comes as text from where it was valued (answer-text.ts): the 200 schema's JSON, id and time
      // put in here.
      const answer = await valuations.valueAnswer(model, checked.stone, checked.normalised, {
        explain: request.query.explain !== false,
      });
      traffic?.record(
        model,
        request.apiKey,
        [checked.stone],
        [{ support: { level: answer.support } }],
        (performance.now() - start) / 1000,
      );
      const id = quotes ? newValuationId() : undefined;
      if (id) request.quote = { id, at, stone: JSON.stringify(checked.stone), modelVersion: model.version };
      const text = answerText(answer, id ? { id, valuedAt: new Date(at).toISOString() } : undefined);
      return reply.type('application/json; charset=utf-8').send(text as unknown as Static<typeof Valuation>);
    },
  );

  const batchExample = {
    stones: [
      { ...EXAMPLE_STONE, ref: 'lot-17' },
      { ...EXAMPLE_STONE, carat: 1.5, x: 7.3, y: 7.35, z: 4.52 },
    ],
  };
  app.post(
    '/v1/valuations/batch',
    {
      config: { scope: 'valuations' },
      ...idempotent,
      ...onSend(null),
      bodyLimit: BATCH_BODY_LIMIT,
      schema: {
        tags: ['valuations'],
        operationId: 'createValuationBatch',
        summary: `Value up to ${MAX_BATCH.toLocaleString('en-US')} diamonds`,
        description:
          "One result per stone, in the order sent: a valuation (with its own id), or the problems of that stone; a stone's `ref` comes back in its result. One bad stone does not sink the batch; every stone is valued by the same model.",
        security: SECURITY,
        querystring: ExplainQuery,
        headers: idempotencyHeader,
        body: withExamples(BatchRequest, batchExample),
        response: {
          200: withExamples(BatchResponse, {
            modelVersion: EXAMPLE_VALUATION.modelVersion,
            valued: 1,
            failed: 1,
            results: [
              { index: 0, ref: 'lot-17', ok: true, valuation: EXAMPLE_VALUATION },
              {
                index: 1,
                ok: false,
                errors: [
                  {
                    field: 'stones/1/carat',
                    code: 'out_of_range',
                    message: 'Carat 12 ct is out of range; allowed is 0.1 to 10 ct.',
                    allowed: 'a number from 0.1 to 10 ct',
                  },
                ],
              },
            ],
          }),
          ...commonErrors,
          ...conflict,
          413: problemResponse('The body is larger than 1 MiB.', {
            type: '/problems/body-too-large',
            title: 'The body is too large',
            status: 413,
            detail: 'The body is larger than the 1048576 bytes this endpoint accepts.',
          }),
        },
      },
      // Documented as an array of stones, checked as an array of anything: each stone is checked on its own below.
      validatorCompiler: (route) =>
        validatorCompiler({ ...route, schema: route.httpPart === 'body' ? BatchEnvelope : route.schema }),
    },
    async (request) => {
      const model = servingModel(models);
      request.modelVersion = model.version;
      const explain = request.query.explain !== false;
      let listed = 0; // problems listed so far in this batch's answer (MAX_BATCH_PROBLEMS at most, see listFor)
      const listFor = (problems: FieldProblem[], index: number): FieldProblem[] => {
        const capped = capProblems(problems, undefined, `stones/${index}`);
        const own = capped.filter((p) => p.code !== MORE_PROBLEMS).length;
        if (listed + own <= MAX_BATCH_PROBLEMS) {
          listed += own;
          return capped;
        }
        // Past the batch's budget a failed stone lists its first problem, so every row still says why.
        listed += 1;
        const total = countProblems(capped);
        return total > 1 ? [capped[0], moreProblems(`stones/${index}`, total - 1, 1)] : [capped[0]];
      };
      // Typed by the documented schema (stones), checked only as an envelope: each stone is unknown until checked.
      const stones: readonly unknown[] = request.body.stones;
      const checks = stones.map((raw, index) => {
        const { ref, rest, problem } = batchRef(raw, index);
        const shaped = checkStone(rest, `stones/${index}/`);
        const beyond = shaped.ok ? limitProblem(model, shaped.stone, maxCarat, `stones/${index}/`) : undefined;
        const checked: StoneCheck = beyond ? { ok: false, problems: [beyond] } : shaped;
        if (checked.ok && !problem) return { ref, checked };
        const problems = [...(checked.ok ? [] : checked.problems), ...(problem ? [problem] : [])];
        return { ref, checked: { ok: false as const, problems: listFor(problems, index) } };
      });
      const valid = checks.flatMap(({ checked }) => (checked.ok ? [checked.stone] : []));
      // the valid stones go to the model together: one batch, valued by one model
      const start = performance.now();
      const valued = await valuations.valueMany(model, valid, { explain });
      traffic?.record(model, request.apiKey, valid, valued, (performance.now() - start) / 1000);
      const at = Date.now();
      let next = 0;
      const results = checks.map(({ ref, checked }, index) => {
        const head = ref === undefined ? { index } : { index, ref };
        if (!checked.ok) return { ...head, ok: false, errors: checked.problems };
        const valuation = stamp(valued[next++], at, checked.normalised);
        if (quotes && valuation.id) {
          quotes.saveValuation({
            id: valuation.id,
            at,
            keyId: request.apiKey?.id ?? null,
            modelVersion: model.version,
            stone: JSON.stringify(checked.stone),
            ref: ref ?? null,
            answer: JSON.stringify(valuation),
          });
        }
        return { ...head, ok: true, valuation };
      });
      return { modelVersion: model.version, valued: valid.length, failed: results.length - valid.length, results };
    },
  );

  app.get(
    '/v1/valuations/:id',
    {
      config: { scope: 'valuations' },
      schema: {
        tags: ['valuations'],
        operationId: 'getValuation',
        summary: 'A valuation as it was answered (the quote)',
        description:
          'The valuation exactly as it was answered — price, range, model version, explanation, warnings, time — even after the model has changed, with the stone it valued and its batch ref. A key sees the valuations made with it (an admin key sees all); any other id is 404.',
        security: SECURITY,
        params: Type.Object({ id: Type.String({ maxLength: 100, examples: [EXAMPLE_VALUATION.id] }) }),
        response: {
          200: withExamples(StoredValuation, { valuation: EXAMPLE_VALUATION, stone: EXAMPLE_STONE }),
          401: commonErrors[401],
          404: problemResponse('No valuation with this id that this key may see.', {
            type: '/problems/not-found',
            title: 'No such resource',
            status: 404,
            detail: 'No valuation has the id "val_AAAAAAAAAAAAAAAAAAAAAA".',
          }),
          429: commonErrors[429],
        },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      const found = await quotes?.valuation(id);
      const key = request.apiKey;
      // Someone else's valuation is as absent as one that never was: a 404 does not confirm that it exists.
      if (!found || (key && !key.scopes.includes('admin') && found.keyId !== key.id)) {
        throw new ApiProblem(
          'not-found',
          `No valuation has the id ${JSON.stringify(id.slice(0, 100))}${quotes ? '' : ' (this server does not store valuations)'}.`,
        );
      }
      // Spliced as text: the valuation is the answer's bytes as they were sent. The type provider types send() by
      // the 200 schema; this text is that schema's JSON already (fastify sends a string as it is).
      const ref = found.ref === null ? '' : `,"ref":${JSON.stringify(found.ref)}`;
      const text = `{"valuation":${found.answer},"stone":${found.stone}${ref}}`;
      return reply.type('application/json; charset=utf-8').send(text as unknown as Static<typeof StoredValuation>);
    },
  );
};
