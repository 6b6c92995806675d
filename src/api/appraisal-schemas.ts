/**
 * Schemas of /v1/appraisals: an appraisal as the expert sends it (the ten fields, numbers or text, checked by the
 * ingestion's own row validation, not by JSON Schema, so that the app refuses exactly what a file refuses), and
 * what comes back: recorded appraisals with the current model's view, rejected rows with their reasons.
 */
import { Type } from 'typebox';
import { APPRAISAL_FIELDS, CLARITIES, COLORS, CUTS, FIELDS } from '../diamond/index.js';
import { MAX_ID, MAX_OFFSET } from './limits.js';
import { FieldProblem, Warning } from './schemas.js';

/** The largest CSV upload accepted (about 180,000 rows of a typical 45 bytes). */
export const UPLOAD_LIMIT = 8 * 1024 * 1024;
/** Recorded appraisals in one page of the list. */
export const MAX_PAGE = 1000;
/**
 * Recorded stones, and rejected rows, returned with a submission's answer, at most each: an 8 MiB upload of bad rows
 * would otherwise be answered with every one of them (a 76 MB answer). The rest are paged by GET /v1/appraisals
 * and GET /v1/appraisals/rejects with ?submission=.
 */
export const RETURNED = 1000;
/**
 * Recorded appraisals one `?outside=` listing looks at, at most: each must be valued by the model serving now to know
 * whether its price is outside (about 20 µs a stone), so the answer's cost is bounded, not the table's size (65,000
 * recorded rows took 1.4 s, every other request waiting). `next` goes on from where it stopped.
 */
export const OUTSIDE_EXAMINED = 2000;
/**
 * Rows read and valued in one turn of the event loop by an `outside=` listing and by the CSV export: other requests
 * are answered between two windows (one takes about 10 ms).
 */
export const SCAN_CHUNK = 500;
/** What `next` and `?after=` hold: a submission and a line, as text. */
export const CURSOR_PATTERN = '^[1-9][0-9]{0,15}-[1-9][0-9]{0,15}$';
/** Characters of a reference kept with a recorded stone (as its extra column `ref`). */
export const MAX_REF = 100;

const cell = Type.Union([Type.Number(), Type.String({ maxLength: 100 })]);

export const AppraisalInput = Type.Object(
  {
    ...Object.fromEntries(
      APPRAISAL_FIELDS.map((f) => [f, Type.Optional({ ...cell, description: FIELDS[f].label } as typeof cell)]),
    ),
    ref: Type.Optional(Type.String({ maxLength: MAX_REF, description: 'Your stock reference, kept with the stone.' })),
  },
  {
    additionalProperties: false,
    description:
      'A stone and the price the expert appraised it at. Values are checked exactly as a row of a CSV file is (numbers may be sent as text, as a spreadsheet would hold them); a row that fails is kept as a rejected row with its reasons.',
  },
);

const grade = (codes: readonly string[]) => Type.Optional(Type.Union(codes.map((c) => Type.Literal(c))));

export const AppraisalsQuery = Type.Object(
  {
    from: Type.Optional(
      Type.String({
        format: 'date',
        description: 'Recorded on or after this day (YYYY-MM-DD, UTC).',
      }),
    ),
    to: Type.Optional(
      Type.String({
        format: 'date',
        description: 'Recorded on or before this day (YYYY-MM-DD, UTC).',
      }),
    ),
    who: Type.Optional(Type.String({ maxLength: 100, description: 'Recorded by this key (its name).' })),
    cut: grade(CUTS),
    color: grade(COLORS),
    clarity: grade(CLARITIES),
    outside: Type.Optional(
      Type.Boolean({ description: "true: only those whose expert's price falls outside the current model's range." }),
    ),
    submission: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_ID, description: 'Only the stones of this submission.' }),
    ),
    after: Type.Optional(
      Type.String({
        pattern: CURSOR_PATTERN,
        maxLength: 33,
        description:
          'Start after this row: the `next` of the previous answer (not with offset, nor with format=csv, which exports every match). With outside=, the only way on past the rows an answer looked at.',
      }),
    ),
    format: Type.Optional(
      Type.Union([Type.Literal('json'), Type.Literal('csv')], {
        default: 'json',
        description: `csv: every matching appraisal as a CSV file (no paging), streamed ${SCAN_CHUNK} recorded rows at a time (with outside=, every row is looked at).`,
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 })),
  },
  { additionalProperties: false },
);

export const ModelView = Type.Union(
  [
    Type.Object({
      version: Type.String(),
      price: Type.Number({ description: "The model's price, USD (rounded as a quote)." }),
      range: Type.Union([
        Type.Object({ low: Type.Number(), high: Type.Number(), coverage: Type.Number() }),
        Type.Null(),
      ]),
      inside: Type.Union([Type.Boolean(), Type.Null()], {
        description: "Whether the expert's price lies within the range (null: no range).",
      }),
      difference: Type.Number({ description: "The expert's price minus the model's, USD." }),
    }),
    Type.Null(),
  ],
  { description: 'What the model serving now says of this stone (null while no model is loaded).' },
);

export const RecordedAppraisal = Type.Object({
  id: Type.Integer({ description: 'The stored diamond.' }),
  ...Object.fromEntries(
    APPRAISAL_FIELDS.map((f) => [f, f === 'cut' || f === 'color' || f === 'clarity' ? Type.String() : Type.Number()]),
  ),
  submissionId: Type.Integer(),
  submissionName: Type.String(),
  kind: Type.Union([Type.Literal('stone'), Type.Literal('upload')]),
  recordedBy: Type.String(),
  recordedAt: Type.String(),
  line: Type.Integer(),
  model: ModelView,
});

export const OpenReject = Type.Object({
  id: Type.Integer(),
  submissionId: Type.Integer(),
  submissionName: Type.String(),
  recordedBy: Type.String(),
  recordedAt: Type.String(),
  line: Type.Integer(),
  rawText: Type.String(),
  fields: Type.Record(Type.String(), Type.String(), {
    description: 'The row by column name (the ten fields and any others), as it stood, for correcting it.',
  }),
  reasons: Type.Array(FieldProblem),
});

export const Learning = Type.Union(
  [
    Type.Object({
      version: Type.String(),
      createdAt: Type.String(),
      upTo: Type.String({ description: 'Appraisals recorded up to this time were in its data.' }),
      trainedOn: Type.Integer({
        description: 'Recorded appraisals it trained on (the rest of those are its holdout).',
      }),
    }),
    Type.Null(),
  ],
  { description: 'The newest model that learned from recorded appraisals (null: none yet).' },
);

export const AppraisalList = Type.Object({
  total: Type.Integer({
    description: `Appraisals matching the filter; with outside=, those among the rows looked at (\`examined\`): all of them only when \`next\` is null and no \`after\` was given.`,
  }),
  offset: Type.Integer(),
  appraisals: Type.Array(RecordedAppraisal),
  next: Type.Union([Type.String(), Type.Null()], {
    description:
      'Where to go on (send it as ?after=): after the page without outside=; with it, after the last row looked at. null: nothing is left.',
  }),
  examined: Type.Union([Type.Integer(), Type.Null()], {
    description: `With outside=: the recorded appraisals looked at (valued, if they matched the other filters) to answer, at most ${OUTSIDE_EXAMINED.toLocaleString('en-US')}. null without outside= (the database counted every match).`,
  }),
  recorders: Type.Array(Type.Object({ name: Type.String(), appraisals: Type.Integer() })),
  learning: Learning,
  warnings: Type.Optional(
    Type.Array(Warning, {
      description: 'Present when a grade filter was read in another spelling (`normalised`).',
    }),
  ),
});

export const SubmissionResult = Type.Object({
  submission: Type.Object({
    id: Type.Integer(),
    name: Type.String(),
    kind: Type.Union([Type.Literal('stone'), Type.Literal('upload')]),
    recordedBy: Type.String(),
    recordedAt: Type.String(),
    rowsRead: Type.Integer(),
    accepted: Type.Integer(),
    rejected: Type.Integer(),
  }),
  appraisals: Type.Array(RecordedAppraisal, {
    description: `The recorded stones, at most the first ${RETURNED.toLocaleString('en-US')} (submission.accepted counts them all; GET /v1/appraisals?submission={id} pages the rest).`,
  }),
  rejects: Type.Array(OpenReject, {
    description: `The rejected rows, at most the first ${RETURNED.toLocaleString('en-US')} in file order (submission.rejected counts them all; GET /v1/appraisals/rejects?submission={id} pages the rest).`,
  }),
});

export const RejectList = Type.Object({
  total: Type.Integer({
    description: 'Open rejected rows in all (of the submission, with ?submission=); `rejects` is the page asked for.',
  }),
  offset: Type.Integer(),
  rejects: Type.Array(OpenReject),
});
export const RejectsQuery = Type.Object(
  {
    submission: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_ID, description: 'Only the rejected rows of this submission.' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 })),
  },
  { additionalProperties: false },
);
export const RejectParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_ID, examples: [3] }) });
export const UploadQuery = Type.Object(
  { name: Type.Optional(Type.String({ maxLength: 200, description: 'The file name, as shown in listings.' })) },
  { additionalProperties: false },
);

const EXAMPLE_APPRAISAL = {
  carat: 0.71,
  cut: 'Ideal',
  color: 'F',
  clarity: 'VS1',
  depth: 61.7,
  table: 56,
  price: 3310,
  x: 5.72,
  y: 5.75,
  z: 3.54,
};
export const EXAMPLE_INPUT = { ...EXAMPLE_APPRAISAL, ref: 'A-1042' };
export const EXAMPLE_CSV =
  'carat,cut,color,clarity,depth,table,price,x,y,z\n0.71,Ideal,F,VS1,61.7,56,3310,5.72,5.75,3.54\n';
const EXAMPLE_RECORDED = {
  id: 5012,
  ...EXAMPLE_APPRAISAL,
  submissionId: 7,
  submissionName: 'stone 2026-12-04T15:00:00.000Z.csv',
  kind: 'stone',
  recordedBy: 'Giulia',
  recordedAt: '2026-12-04T15:00:00.000Z',
  line: 2,
  model: {
    version: 'v0003',
    price: 3180,
    range: { low: 2790, high: 3620, coverage: 0.9 },
    inside: true,
    difference: 130,
  },
};
const EXAMPLE_REJECT = {
  id: 31,
  submissionId: 8,
  submissionName: 'week.csv',
  recordedBy: 'Giulia',
  recordedAt: '2026-12-04T15:05:00.000Z',
  line: 3,
  rawText: '36,Ideal,G,VS2,61.8,57,950,4.6,4.63,2.85',
  fields: {
    carat: '36',
    cut: 'Ideal',
    color: 'G',
    clarity: 'VS2',
    depth: '61.8',
    table: '57',
    price: '950',
    x: '4.6',
    y: '4.63',
    z: '2.85',
  },
  reasons: [
    {
      field: 'carat',
      code: 'out_of_range',
      message:
        "Carat 36 is out of range; the stone's measurements suggest about 0.37 ct, so it was probably meant as 0.36 ct (typed in points: 100 points = 1 carat).",
      allowed: 'a number from 0.1 to 10 ct',
      suggestion: '0.36',
    },
  ],
};
export const EXAMPLE_SUBMISSION = {
  submission: {
    id: 7,
    name: 'stone 2026-12-04T15:00:00.000Z.csv',
    kind: 'stone',
    recordedBy: 'Giulia',
    recordedAt: '2026-12-04T15:00:00.000Z',
    rowsRead: 1,
    accepted: 1,
    rejected: 0,
  },
  appraisals: [EXAMPLE_RECORDED],
  rejects: [],
};
export const EXAMPLE_LIST = {
  total: 1,
  offset: 0,
  appraisals: [EXAMPLE_RECORDED],
  next: null,
  examined: null,
  recorders: [{ name: 'Giulia', appraisals: 1 }],
  learning: { version: 'v0004', createdAt: '2026-12-05T03:00:00.000Z', upTo: '2026-12-04T15:00:00.000Z', trainedOn: 1 },
};
export const EXAMPLE_REJECTS = { total: 1, offset: 0, rejects: [EXAMPLE_REJECT] };
