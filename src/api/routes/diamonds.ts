/**
 * GET /v1/diamonds/similar: the stones in the database most like a given one, with their appraised prices.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Store } from '../../store/store.js';
import { problemAnswer } from '../openapi-answers.js';
import { ApiProblem, summarise, type FieldProblem } from '../problem.js';
import { SIMILAR_MAX_WAITING } from '../similar-thread.js';
import { normalisedWarnings, readGradesOfQuery } from '../stone-input.js';
import {
  EXAMPLE_STONE,
  SimilarQuery,
  SimilarResponse,
  problemResponse,
  withExamples,
  type Defaulted,
} from '../schemas.js';

const ALL_MODE_FIELDS = ['depth', 'table', 'x', 'y', 'z'] as const;

export const diamondRoutes: FastifyPluginAsyncTypebox<{ store: Pick<Store, 'similarStones'> }> = async (
  app,
  { store },
) => {
  const example = { ...EXAMPLE_STONE, n: 5, mode: 'grades' };
  app.get(
    '/v1/diamonds/similar',
    {
      config: { scope: 'valuations' },
      preValidation: readGradesOfQuery,
      schema: {
        tags: ['diamonds'],
        operationId: 'findSimilarDiamonds',
        summary: 'Stones most like a given one',
        description:
          'The n stones in the database most like the given one, with the prices they were appraised at. mode=grades (default): the same cut, colour and clarity and the closest carat. mode=all: the closest over all nine characteristics, each standardised by its spread (needs depth, table, x, y and z too). A grade is read whatever its letter case and spacing (`ideal` as Ideal), with a `normalised` warning in the answer.',
        security: [{ bearerAuth: [] }],
        querystring: withExamples(SimilarQuery, example),
        response: {
          200: withExamples(SimilarResponse, {
            mode: 'grades',
            count: 1,
            stones: [
              // the reference data's nearest stone (test/api/live-examples.test.ts checks it against the answer)
              {
                id: 4536,
                carat: 0.81,
                cut: 'Ideal',
                color: 'G',
                clarity: 'VS2',
                depth: 61.5,
                table: 55,
                price: 3397,
                x: 6,
                y: 6.06,
                z: 3.71,
                distance: 0.09,
              },
            ],
          }),
          400: problemResponse('The query is not valid.'),
          503: problemAnswer(
            'busy',
            `Too many searches are waiting (at most ${SIMILAR_MAX_WAITING}: busy), or the database cannot be reached (not-ready); retry after Retry-After.`,
            `${SIMILAR_MAX_WAITING} similar-stone searches are already waiting (at most ${SIMILAR_MAX_WAITING}); retry shortly.`,
          ),
        },
      },
    },
    async (request) => {
      const q = request.query as Defaulted<typeof request.query, 'n' | 'mode'>;
      const warnings = normalisedWarnings(request.gradesRead ?? []);
      if (q.mode === 'all') {
        const missing: FieldProblem[] = ALL_MODE_FIELDS.filter((f) => q[f] === undefined).map((f) => ({
          field: f,
          code: 'missing',
          message: `${f} is needed for similarity over all characteristics (mode=all).`,
          allowed: "a number within the Stone schema's range",
        }));
        if (missing.length > 0) throw new ApiProblem('invalid-input', summarise(missing), missing);
      }
      const stones = await store.similarStones(q, q.n, q.mode);
      return { mode: q.mode, count: stones.length, stones, ...(warnings.length > 0 ? { warnings } : {}) };
    },
  );
};
