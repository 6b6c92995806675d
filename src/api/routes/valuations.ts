/**
 * POST /v1/valuations and /v1/valuations/batch: a price with its range, the model version, the explanation and
 * warnings. The model is taken once per request, so a champion switch never changes it mid-request.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Stone } from '../../diamond/index.js';
import { caratLimitProblem, type LoadedModel } from '../../model/index.js';
import type { ModelSource } from '../model-source.js';
import type { Valuations } from '../valuation-pool.js';
import { presentValuation } from '../present.js';
import { ApiProblem, summarise, type FieldProblem } from '../problem.js';
import {
  BATCH_BODY_LIMIT, BatchEnvelope, BatchRequest, BatchResponse, EXAMPLE_STONE, EXAMPLE_VALUATION, ExplainQuery, MAX_BATCH, Stone as StoneSchema,
  Valuation, problemResponse, withExamples,
} from '../schemas.js';
import { checkStone, type StoneCheck } from '../stone-input.js';
import { validatorCompiler } from '../validator.js';

const SECURITY = [{ bearerAuth: [] }];

export function servingModel(models: ModelSource): LoadedModel {
  const model = models.current;
  if (!model) throw new ApiProblem('not-ready', 'No model is loaded yet; the first one is being trained. Retry shortly.', undefined, { 'retry-after': '5' });
  return model;
}

const commonErrors = {
  400: problemResponse('The input is not valid: each problem names the field, what was wrong and what is allowed.'),
  401: problemResponse('No valid API key.', { type: '/problems/unauthorized', title: 'An API key is needed', status: 401, detail: 'This endpoint needs an API key: send it as "Authorization: Bearer lp_…".' }),
  429: problemResponse('The key\'s rate limit is used up; see Retry-After.', { type: '/problems/rate-limited', title: 'Too many requests', status: 429, detail: 'The key "ACME" may make 600 requests a minute; retry in 1 s.' }),
  422: problemResponse('The stone is valid but beyond the limit of what Loupe prices (a carat limit; the errors list names it).', { type: '/problems/beyond-limit', title: 'Loupe does not price this stone', status: 422, detail: 'Carat 9.5 ct is beyond the 7.52 ct limit of what Loupe prices with this model (1.5 × the heaviest stone the model learned from, 5.01 ct); a price so far past its data would be a guess. Have the stone appraised by an expert.', errors: [{ field: 'carat', code: 'beyond_limit', message: 'Carat 9.5 ct is beyond the 7.52 ct limit …', allowed: 'at most 7.52 ct' }] }),
  503: problemResponse('No model loaded yet.', { type: '/problems/not-ready', title: 'Not ready', status: 503, detail: 'No model is loaded yet; the first one is being trained. Retry shortly.' }),
};

/** The stone's problem if it is beyond the carat limit of the model, with its field under `prefix`. */
function limitProblem(model: LoadedModel, stone: Stone, maxCarat: number | undefined, prefix = ''): FieldProblem | undefined {
  const problem = caratLimitProblem(model.artifact, stone, maxCarat);
  return problem && { ...problem, field: prefix + problem.field };
}

export const valuationRoutes: FastifyPluginAsyncTypebox<{ models: ModelSource; valuations: Valuations; maxCarat?: number }> = async (app, { models, valuations, maxCarat }) => {
  app.post('/v1/valuations', {
    config: { scope: 'valuations', stoneBody: true },
    schema: {
      tags: ['valuations'],
      summary: 'Value one diamond',
      description: 'The price (USD, to the dollar), the range (rounded as people quote it) and the coverage it was calibrated to, the model version, the explanation (a typical stone\'s price, then each characteristic\'s effect as a factor and in dollars) and warnings. `?explain=false` skips the explanation.',
      security: SECURITY,
      querystring: ExplainQuery,
      body: withExamples(StoneSchema, EXAMPLE_STONE),
      response: { 200: withExamples(Valuation, EXAMPLE_VALUATION), ...commonErrors },
    },
  }, async (request) => {
    const model = servingModel(models);
    request.modelVersion = model.version;
    const checked = checkStone(request.body);
    if (!checked.ok) throw new ApiProblem('invalid-input', summarise(checked.problems), checked.problems);
    const beyond = limitProblem(model, checked.stone, maxCarat);
    if (beyond) throw new ApiProblem('beyond-limit', beyond.message, [beyond]);
    return presentValuation(await valuations.value(model, checked.stone, { explain: request.query.explain !== false }));
  });

  const batchExample = { stones: [EXAMPLE_STONE, { ...EXAMPLE_STONE, carat: 1.5, x: 7.3, y: 7.35, z: 4.52 }] };
  app.post('/v1/valuations/batch', {
    config: { scope: 'valuations' },
    bodyLimit: BATCH_BODY_LIMIT,
    schema: {
      tags: ['valuations'],
      summary: `Value up to ${MAX_BATCH.toLocaleString('en-US')} diamonds`,
      description: 'One result per stone, in the order sent: a valuation, or the problems of that stone. One bad stone does not sink the batch; every stone is valued by the same model.',
      security: SECURITY,
      querystring: ExplainQuery,
      body: withExamples(BatchRequest, batchExample),
      response: {
        200: withExamples(BatchResponse, {
            modelVersion: EXAMPLE_VALUATION.modelVersion, valued: 1, failed: 1,
            results: [
              { index: 0, ok: true, valuation: { ...EXAMPLE_VALUATION, explanation: undefined } },
              { index: 1, ok: false, errors: [{ field: 'stones/1/carat', code: 'out_of_range', message: 'Carat 12 ct is out of range; allowed is 0.1 to 10 ct.', allowed: 'a number from 0.1 to 10 ct' }] },
            ],
          }),
        ...commonErrors,
        413: problemResponse('The body is larger than 1 MiB.', { type: '/problems/body-too-large', title: 'The body is too large', status: 413, detail: 'The body is larger than the 1048576 bytes this endpoint accepts.' }),
      },
    },
    // Documented as an array of stones, checked as an array of anything: each stone is checked on its own below.
    validatorCompiler: (route) => validatorCompiler({ ...route, schema: route.httpPart === 'body' ? BatchEnvelope : route.schema }),
  }, async (request) => {
    const model = servingModel(models);
    request.modelVersion = model.version;
    const explain = request.query.explain !== false;
    // The stones were checked only as an array (BatchEnvelope), so each is taken as unknown and checked here.
    const stones: readonly unknown[] = request.body.stones;
    const checks = stones.map((raw, index): StoneCheck => {
      const checked = checkStone(raw, `stones/${index}/`);
      const beyond = checked.ok ? limitProblem(model, checked.stone, maxCarat, `stones/${index}/`) : undefined;
      return beyond ? { ok: false, problems: [beyond] } : checked;
    });
    const valid = checks.flatMap((c) => (c.ok ? [c.stone] : []));
    // the valid stones go to the model together: one batch, valued by one model
    const valued = await valuations.valueMany(model, valid, { explain });
    let next = 0;
    const results = checks.map((checked, index) =>
      checked.ok ? { index, ok: true, valuation: presentValuation(valued[next++]) } : { index, ok: false, errors: checked.problems },
    );
    return { modelVersion: model.version, valued: valid.length, failed: results.length - valid.length, results };
  });
};
