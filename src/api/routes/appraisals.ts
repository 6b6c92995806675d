/**
 * /v1/appraisals: the expert records appraisals (one stone as JSON, or a CSV file as text/csv), lists and exports
 * them with what the model serving now says of each, and fixes or dismisses the rows that were rejected.
 * Scope `appraisals` (or admin).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Readable } from 'node:stream';
import type { RecordedCursor, RecordedFilter } from '../../store/appraisals.js';
import type { Store } from '../../store/store.js';
import { AppraisalDesk } from '../appraisal-desk.js';
import {
  EXAMPLE_CSV,
  EXAMPLE_INPUT,
  EXAMPLE_LIST,
  EXAMPLE_REJECTS,
  EXAMPLE_SUBMISSION,
  AppraisalInput,
  AppraisalList,
  AppraisalsQuery,
  RejectList,
  RejectsQuery,
  MAX_PAGE,
  OUTSIDE_EXAMINED,
  SCAN_CHUNK,
  RejectParams,
  SubmissionResult,
  UPLOAD_LIMIT,
  UploadQuery,
} from '../appraisal-schemas.js';
import type { ModelSource } from '../model-source.js';
import { problemAnswer } from '../openapi-answers.js';
import { ApiProblem } from '../problem.js';
import { problemResponse, withExamples } from '../schemas.js';
import { normalisedWarnings, readGradesOfQuery } from '../stone-input.js';

const SECURITY = [{ bearerAuth: [] }];
const config = { scope: 'appraisals' as const };

/** Who recorded: the key's name; on a server run open (no keys), "local". */
const who = (request: FastifyRequest): string => request.apiKey?.name ?? 'local';

const errors = {
  400: problemResponse('A whole-file problem (not UTF-8, binary, no required column, too many columns…) or bad input.'),
  409: problemAnswer(
    'already-recorded',
    'The same file was uploaded before.',
    'This file (byte for byte) was recorded before as submission 7; nothing was added.',
  ),
  413: problemAnswer(
    'body-too-large',
    'The file is larger than 8 MiB.',
    'The body is larger than the 8388608 bytes this endpoint accepts.',
  ),
  415: problemAnswer(
    'unsupported-media-type',
    'Neither JSON (one stone) nor CSV (a file), or compressed (/problems/unsupported-encoding: only identity is accepted).',
    'Send one stone as application/json or a file as text/csv, not text/plain.',
  ),
};
const noReject = problemAnswer('not-found', 'No such open rejected row.', 'No open rejected row has the id 3.');
const storageFull = problemAnswer(
  'storage-full',
  "The server's disk is full: nothing was stored; send it again once space has been freed.",
  "The server's disk is full: nothing of it was stored; send it again once space has been freed.",
);

/** An `after` as the query schema let it through (CURSOR_PATTERN): a submission and a line. */
function readCursor(text: string): RecordedCursor {
  const [submission, line] = text.split('-').map(Number);
  return { submission, line };
}

/** The day after a YYYY-MM-DD day, as the exclusive end of a "to" filter. */
function dayAfter(day: string): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}

export const appraisalRoutes: FastifyPluginAsync<{ store: Store; models: ModelSource }> = async (
  app,
  { store, models },
) => {
  const desk = new AppraisalDesk(store);
  // A file is received as bytes: the ingestion decides whether it is UTF-8 CSV text, with its own messages.
  app.addContentTypeParser(
    ['text/csv', 'application/csv'],
    { parseAs: 'buffer', bodyLimit: UPLOAD_LIMIT },
    (_r, body, done) => done(null, body),
  );

  app.post(
    '/v1/appraisals',
    {
      config,
      bodyLimit: UPLOAD_LIMIT,
      schema: {
        tags: ['appraisals'],
        operationId: 'recordAppraisals',
        summary: 'Record an appraisal, or a CSV file of them',
        description:
          "application/json: one stone with the expert's price; text/csv: a file (any column order, extra columns kept; ?name= names it). Every row is checked exactly as `loupe ingest` checks a file: accepted rows are stored with who recorded them and when, rejected rows are kept with their reasons until fixed or dismissed. A duplicate of a stored appraisal is rejected as such.",
        security: SECURITY,
        querystring: UploadQuery,
        // Per media type: JSON is one stone, checked against its schema; a file is bytes, the ingestion's to check.
        body: {
          content: {
            'application/json': { schema: withExamples(AppraisalInput, EXAMPLE_INPUT) },
            'text/csv': { schema: Type.Unknown({ description: 'A CSV file, UTF-8.', examples: [EXAMPLE_CSV] }) },
          },
        },
        response: { 201: withExamples(SubmissionResult, EXAMPLE_SUBMISSION), ...errors, 507: storageFull },
      },
    },
    async (request, reply) => {
      const model = models.current;
      const result = Buffer.isBuffer(request.body)
        ? await desk.recordUpload(request.body, (request.query as { name?: string }).name, who(request), model)
        : await desk.recordStone(request.body as Record<string, unknown>, who(request), model);
      return reply.code(201).send(result);
    },
  );

  app.get(
    '/v1/appraisals',
    {
      config,
      schema: {
        tags: ['appraisals'],
        operationId: 'listAppraisals',
        summary: 'Recorded appraisals, with what the model says of each',
        description: `Newest first (the newest submission first, from its last line up); filter by day, who, grade, and whether the expert's price is outside the current model's range. A page is \`limit\` rows from \`offset\`, or from \`after\` (an answer's \`next\`, which reads only the page however deep it lies). outside= must value each row with the model serving now, so one answer looks at no more than ${OUTSIDE_EXAMINED.toLocaleString('en-US')} recorded appraisals (\`examined\`) and counts the matches among them (\`total\`); \`next\` non-null says there are more to look at: send it as ?after=. ?format=csv exports every match as CSV, streamed ${SCAN_CHUNK} rows at a time (other requests are answered in between). A grade is read whatever its letter case and spacing (\`ideal\` as Ideal), with a \`normalised\` warning in the answer.`,
        security: SECURITY,
        querystring: AppraisalsQuery,
        response: {
          200: withExamples(AppraisalList, EXAMPLE_LIST),
          400: problemResponse('A query parameter is not valid, or `after` is given with an offset.'),
        },
      },
      preValidation: readGradesOfQuery,
    },
    async (request, reply) => {
      const q = request.query as Omit<RecordedFilter, 'submission'> & {
        outside?: boolean;
        submission?: number;
        after?: string;
        format: 'json' | 'csv';
        limit: number;
        offset: number;
      };
      const filter = {
        from: q.from && `${q.from}T00:00:00.000Z`,
        to: q.to && dayAfter(q.to),
        who: q.who,
        cut: q.cut,
        color: q.color,
        clarity: q.clarity,
        outside: q.outside,
        submission: q.submission,
      };
      const model = models.current;
      if (q.format === 'csv' && q.after !== undefined)
        throw new ApiProblem(
          'invalid-input',
          `format=csv exports every match, from the first: after=${q.after} pages a JSON listing only; leave it out of the export.`,
        );
      if (q.format === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="appraisals.csv"')
          .send(Readable.from(desk.exportCsv(filter, model)));
      if (q.after !== undefined && q.offset > 0)
        throw new ApiProblem(
          'invalid-input',
          `after and offset are two ways to say where a page starts; send one (after=${q.after}, offset=${q.offset}).`,
        );
      const after = q.after === undefined ? undefined : readCursor(q.after);
      const page = await desk.list(filter, { offset: q.offset, limit: q.limit, after }, model);
      const [recorders, learning] = await Promise.all([store.recorders(), store.lastLearning()]);
      const warnings = normalisedWarnings(request.gradesRead ?? []);
      return {
        total: page.total,
        offset: q.offset,
        appraisals: page.appraisals,
        next: page.next && `${page.next.submission}-${page.next.line}`,
        examined: page.examined,
        recorders,
        learning: learning ?? null,
        ...(warnings.length > 0 ? { warnings } : {}),
      };
    },
  );

  app.get(
    '/v1/appraisals/rejects',
    {
      config,
      schema: {
        tags: ['appraisals'],
        operationId: 'listRejects',
        summary: 'Rejected rows waiting to be fixed or dismissed',
        description: `Newest first (a submission's in file order), a page at a time (at most ${MAX_PAGE}); total says how many are open in all (of the submission, with ?submission=).`,
        security: SECURITY,
        querystring: RejectsQuery,
        response: { 200: withExamples(RejectList, EXAMPLE_REJECTS) },
      },
    },
    async (request) => {
      const q = request.query as { limit: number; offset: number; submission?: number };
      return { ...(await desk.rejects(q)), offset: q.offset };
    },
  );

  app.post(
    '/v1/appraisals/rejects/:id/fix',
    {
      config,
      schema: {
        tags: ['appraisals'],
        operationId: 'fixReject',
        summary: 'Resubmit a rejected row, corrected',
        description:
          'The corrected stone is recorded as a new submission and the rejected row is marked fixed by it, in one transaction; if the correction is rejected too, its new reasons are listed instead. A correction without any of the fields is a 400, and the row stays open.',
        security: SECURITY,
        params: RejectParams,
        body: withExamples(AppraisalInput, EXAMPLE_INPUT),
        response: {
          201: withExamples(SubmissionResult, EXAMPLE_SUBMISSION),
          404: noReject,
          507: storageFull,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: number };
      await desk.openReject(id);
      const result = await desk.recordStone(request.body as Record<string, unknown>, who(request), models.current, id);
      return reply.code(201).send(result);
    },
  );

  app.post(
    '/v1/appraisals/rejects/:id/dismiss',
    {
      config,
      schema: {
        tags: ['appraisals'],
        operationId: 'dismissReject',
        summary: 'Dismiss a rejected row (it is no longer listed)',
        security: SECURITY,
        params: RejectParams,
        response: {
          200: withExamples(Type.Object({ dismissed: Type.Integer() }), { dismissed: 31 }),
          404: noReject,
          507: storageFull,
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: number };
      await desk.dismiss(id, who(request));
      return { dismissed: id };
    },
  );
};
