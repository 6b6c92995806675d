/**
 * The API's request and response schemas (typebox → JSON Schema): they validate requests, serialise responses
 * fast, and are the OpenAPI document. Stones come from the one diamond schema in src/diamond.
 */
import { Type, type TSchema } from 'typebox';
import { AppraisalSchema, PRICE_BASIS, STONE_FIELDS, StoneSchema, exampleStone } from '../diamond/index.js';
import { MAX_RANGE_RATIO, THIN_SUPPORT, WARNING_CODES, WARNING_CODE_LIST } from '../model/index.js';
import { Accuracy, ModelMetrics } from '../registry/index.js';

export { ModelMetrics, Accuracy as ModelAccuracy };
import { MAX_ID } from './limits.js';
import { PROBLEM_TYPES } from './problem.js';

/** A copy of a schema with some keywords changed; typebox's hidden markers (non-enumerable) are kept. */
export function withSchema<T extends TSchema>(schema: T, changes: Record<string, unknown>): T {
  const copy = Object.defineProperties(
    Object.create(Object.getPrototypeOf(schema)),
    Object.getOwnPropertyDescriptors(schema),
  );
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete copy[k];
    else copy[k] = v;
  }
  return copy as T;
}

/** A schema with examples for the OpenAPI document. */
export const withExamples = <T extends TSchema>(schema: T, ...examples: unknown[]): T =>
  withSchema(schema, { examples });

/**
 * A query as its handler receives it: the validator (validator.ts) has filled in the schema's defaults, so the keys
 * K that have one are present although the schema marks them optional (optional is what the OpenAPI document says).
 */
export type Defaulted<T, K extends keyof T> = T & { [P in K]-?: Exclude<T[P], undefined> };

/** A schema without its $id, so that it can be used inline in many routes. */
const inline = <T extends TSchema>(schema: T): T => withSchema(schema, { $id: undefined });

export const Stone = inline(StoneSchema);
export const EXAMPLE_STONE = exampleStone();

export const FieldProblem = Type.Object({
  field: Type.String({
    description: 'The field at fault, as a path into the input ("carat", "stones/3/cut"); "" for the whole body.',
  }),
  code: Type.String({
    description:
      'What was wrong, for programs: missing, wrong_type, out_of_range, unknown_grade, unknown_field, implausible_geometry, …',
  }),
  message: Type.String({ description: 'What was wrong, for people.' }),
  allowed: Type.Optional(Type.String({ description: 'What is allowed.' })),
  suggestion: Type.Optional(
    Type.String({ description: 'What was probably meant, when one reading is clear (never applied automatically).' }),
  ),
  omitted: Type.Optional(
    Type.Integer({
      description:
        'Only on the entry with code more_problems: how many problems were left out of the list (at most 20 are listed per stone or request; in a batch, 2,000 in all, then the first problem of each further stone).',
    }),
  ),
});

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'A URI reference naming the kind of problem; GET it for an explanation.' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(FieldProblem)),
  },
  { description: 'An RFC 9457 problem (application/problem+json).' },
);

const EXAMPLE_PROBLEM = {
  type: '/problems/invalid-input',
  title: PROBLEM_TYPES['invalid-input'].title,
  status: 400,
  detail: 'Carat 12 ct is out of range; allowed is 0.1 to 10 ct.',
  errors: [
    {
      field: 'carat',
      code: 'out_of_range',
      message: 'Carat 12 ct is out of range; allowed is 0.1 to 10 ct.',
      allowed: 'a number from 0.1 to 10 ct',
    },
  ],
};

export function problemResponse(description: string, example: object = EXAMPLE_PROBLEM) {
  return { description, content: { 'application/problem+json': { schema: withExamples(Problem, example) } } };
}

const Step = Type.Object({
  factor: Type.Union([
    Type.Literal('carat'),
    Type.Literal('cut'),
    Type.Literal('color'),
    Type.Literal('clarity'),
    Type.Literal('proportions'),
  ]),
  label: Type.String({ description: 'The characteristic as a person says it: "1.21 carat", "colour G".' }),
  multiplier: Type.Number({
    description:
      "What this characteristic alone does to a typical stone's price: the typical price times every step's multiplier is the price. It is not the ratio of priceAfter to the running total before the step (the dollars are shares of the gap, see dollars).",
  }),
  dollars: Type.Number({
    description:
      "The same effect in US dollars (to the cent): this factor's share of the gap between the typical price and the price, in proportion to its log contribution (the logarithmic-mean allocation). The steps add up to that gap exactly, do not depend on their order, and the biggest multiplier has the biggest dollar step.",
  }),
  priceAfter: Type.Number({ description: "The running total: the typical price plus the steps' dollars so far, USD." }),
});

export const Explanation = Type.Object(
  {
    typicalPrice: Type.Number({
      description:
        "The starting point, USD: the price of the typical stone, defined as the geometric mean of the model's prices for the stones it learned from (the appraisals named by the model's price basis, GET /v1/models/current).",
    }),
    steps: Type.Array(Step, {
      description:
        "Each characteristic's effect, in the order a person reads them: size, cut, colour, clarity, proportions.",
    }),
    price: Type.Number({ description: 'Where the steps end: the price before rounding, USD.' }),
    summary: Type.String({ description: 'The explanation in one or two sentences for a client.' }),
  },
  {
    description:
      "Why the price is what it is: a typical stone's price, then each characteristic as a factor and in dollars.",
  },
);

export const Warning = Type.Object({
  // From the one list in the model layer, so a new code cannot be left out of the schema (an enum, so that the
  // type provider gives handlers the codes' union).
  code: Type.Enum(WARNING_CODE_LIST, {
    description: `One code per cause, stable:\n${WARNING_CODE_LIST.map((code) => `- \`${code}\`: ${WARNING_CODES[code]}`).join('\n')}`,
  }),
  field: Type.Optional(Type.String({ description: 'The field or fields concerned, comma-separated.' })),
  message: Type.String(),
  given: Type.Optional(Type.String({ description: 'For `normalised`: the value as it was sent.' })),
  used: Type.Optional(Type.String({ description: 'For `normalised`: the value the valuation used.' })),
});

export const Support = Type.Object(
  {
    level: Type.Union([Type.Literal('typical'), Type.Literal('thin'), Type.Literal('beyond')], {
      description: `typical: at least ${THIN_SUPPORT} comparable training stones; thin: fewer (the range is calibrated for such stones); beyond: a characteristic lies outside what the model learned from, or no training stone is comparable (no range is given).`,
    }),
    comparableStones: Type.Integer({
      minimum: 0,
      description: 'Training stones within 10% of its carat and one grade of its colour and of its clarity.',
    }),
    summary: Type.String({ description: 'The support in one sentence for people.' }),
  },
  { description: 'How well the data the model learned from supports this stone.' },
);

/** How a stored valuation is named: opaque, the time (48 bits) then 80 random bits (routes/valuations.ts). */
export const VALUATION_ID_PATTERN = '^val_[A-Za-z0-9_-]{22}$';

export const Valuation = Type.Object({
  id: Type.Optional(
    Type.String({
      description:
        'The stored valuation (the quote): GET /v1/valuations/{id} returns this answer as it was given, after the model changes too. Opaque; always present unless the server runs with LOUPE_STORE_VALUATIONS=0.',
    }),
  ),
  valuedAt: Type.Optional(
    Type.String({ description: 'When the valuation was made (ISO 8601, UTC); present with id.' }),
  ),
  price: Type.Number({
    description:
      'The estimated price in US dollars, to the dollar (where the explanation ends); the range bounds are rounded as people quote them ($1 under $1,000, $10 under $10,000, else $100).',
  }),
  currency: Type.Literal('USD'),
  range: Type.Union(
    [
      Type.Object({
        low: Type.Number(),
        high: Type.Number(),
        coverage: Type.Number({
          description:
            'The share of stones like this one whose true price falls in the range (calibrated on stones the model did not learn from, per carat band, cut, colour, clarity and support level).',
        }),
      }),
      Type.Null(),
    ],
    {
      description: `How sure the price is; null when Loupe cannot back a range (the stone is beyond the data, or the range would span more than ${MAX_RANGE_RATIO}× from low to high), with a range_withheld warning saying which.`,
    },
  ),
  support: Support,
  modelVersion: Type.String({ description: 'The model that made this valuation.' }),
  explanation: Type.Optional(Explanation),
  warnings: Type.Array(Warning, {
    description: 'One per cause, each with a stable code; e.g. a stone outside the range the model learned from.',
  }),
});

/**
 * A real answer, not an invented one: what the first hedonic model of a fresh home (`loupe train --kind hedonic`
 * on the reference data, seed 42, registered as v0001) answers for EXAMPLE_STONE. test/api/live-examples.test.ts
 * asks a server serving that model and fails when a value here differs, so the example cannot go stale.
 */
export const EXAMPLE_VALUATION = {
  id: 'val_3q2-7wFhQjKXbT0sYl9mAw',
  valuedAt: '2026-12-04T15:00:00.000Z',
  price: 4530,
  currency: 'USD',
  range: { low: 3940, high: 5210, coverage: 0.9 },
  support: {
    level: 'typical',
    comparableStones: 140,
    summary: 'Well supported: 140 training stones within 10% of its carat and one grade of its colour and clarity.',
  },
  modelVersion: 'v0001',
  explanation: {
    typicalPrice: 2400.29,
    steps: [
      { factor: 'carat', label: '0.9 carat', multiplier: 1.7564, dollars: 1888.84, priceAfter: 4289.13 },
      { factor: 'cut', label: 'Ideal cut', multiplier: 1.0324, dollars: 106.96, priceAfter: 4396.09 },
      { factor: 'color', label: 'colour G', multiplier: 1.0021, dollars: 7.07, priceAfter: 4403.16 },
      { factor: 'clarity', label: 'clarity VS2', multiplier: 1.0382, dollars: 125.79, priceAfter: 4528.95 },
      {
        factor: 'proportions',
        label: 'depth 61.8%, table 57%',
        multiplier: 1.0004,
        dollars: 1.47,
        priceAfter: 4530.42,
      },
    ],
    price: 4530.42,
    summary:
      "Loupe starts from the typical stone, $2,400 (the geometric mean of the model's prices for the stones it learned from). The biggest effect is 0.9 carat: on its own it would make a typical stone's price 76% higher (×1.76). Next is clarity VS2: on its own, 4% higher (×1.04). Together the characteristics bring it to $4,530.",
  },
  warnings: [],
};

export const MAX_BATCH = 1000;
/** Largest body of one valuation, and of a batch of 1,000 stones. */
export const BODY_LIMIT = 64 * 1024;
export const BATCH_BODY_LIMIT = 1024 * 1024;

export const MAX_REF_LENGTH = 100;
const Ref = Type.String({
  maxLength: MAX_REF_LENGTH,
  description:
    'Your own reference for this stone (at most 100 characters), returned with its result and stored with its valuation.',
});
/** A stone of a batch: the nine characteristics and, optionally, the client's reference. */
export const BatchStone = Type.Object(
  { ...(Stone.properties as Record<string, TSchema>), ref: Type.Optional(Ref) },
  { additionalProperties: false },
);

/** The batch as documented: up to 1,000 stones. */
export const BatchRequest = Type.Object(
  {
    stones: Type.Array(BatchStone, {
      minItems: 1,
      maxItems: MAX_BATCH,
      description: 'The stones to value; each is checked on its own.',
    }),
  },
  { additionalProperties: false },
);
/** The batch as checked: each stone is checked on its own, so that one bad stone does not sink the batch. */
export const BatchEnvelope = Type.Object(
  { stones: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_BATCH }) },
  { additionalProperties: false },
);

export const BatchItem = Type.Object({
  index: Type.Integer({ description: 'Position of the stone in the request, from 0.' }),
  ref: Type.Optional(Type.String({ description: 'The ref the stone was sent with.' })),
  ok: Type.Boolean(),
  valuation: Type.Optional(Valuation),
  errors: Type.Optional(
    Type.Array(FieldProblem, { description: 'Why this stone could not be valued (when ok is false).' }),
  ),
});

export const BatchResponse = Type.Object({
  modelVersion: Type.String({ description: 'Every stone of a batch is valued by the same model.' }),
  valued: Type.Integer(),
  failed: Type.Integer(),
  results: Type.Array(BatchItem, { description: 'One result per stone, in the order sent.' }),
});

/** GET /v1/valuations/{id}: the valuation exactly as answered, the stone it valued and its batch ref. */
export const StoredValuation = Type.Object({
  valuation: Valuation,
  stone: Stone,
  ref: Type.Optional(Type.String({ description: 'The ref the stone was sent with in a batch.' })),
});

export const ExplainQuery = Type.Object(
  {
    explain: Type.Optional(
      Type.Boolean({ default: true, description: 'false skips the explanation (faster, smaller).' }),
    ),
  },
  { additionalProperties: false },
);

export const SimilarQuery = Type.Object(
  {
    carat: Stone.properties.carat,
    cut: Stone.properties.cut,
    color: Stone.properties.color,
    clarity: Stone.properties.clarity,
    depth: Type.Optional(Stone.properties.depth),
    table: Type.Optional(Stone.properties.table),
    x: Type.Optional(Stone.properties.x),
    y: Type.Optional(Stone.properties.y),
    z: Type.Optional(Stone.properties.z),
    n: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 5, description: 'How many stones (1 to 50).' })),
    mode: Type.Optional(
      Type.Union([Type.Literal('grades'), Type.Literal('all')], {
        default: 'grades',
        description:
          'grades: the same cut, colour and clarity and the closest carat. all: closest over all nine characteristics (needs depth, table, x, y, z).',
      }),
    ),
  },
  { additionalProperties: false },
);

const Appraisal = inline(AppraisalSchema);
export const SimilarStone = Type.Object({
  id: Type.Integer(),
  ...Appraisal.properties,
  distance: Type.Number({
    description: '|Δcarat| in grades mode; the standardised distance over all characteristics in all mode.',
  }),
});

export const SimilarResponse = Type.Object({
  mode: Type.Union([Type.Literal('grades'), Type.Literal('all')]),
  count: Type.Integer(),
  stones: Type.Array(SimilarStone, { description: 'Most similar first, with the price each was appraised at.' }),
  warnings: Type.Optional(
    Type.Array(Warning, {
      description: 'Present when a grade of the query was read in another spelling (`normalised`).',
    }),
  ),
});

/** PRICE_BASIS (src/diamond) as the document publishes it: the one definition, fixed by literals. */
export const PriceBasis = Type.Object(
  {
    kind: Type.Literal(PRICE_BASIS.kind),
    currency: Type.Literal(PRICE_BASIS.currency),
    dollarsOf: Type.Literal(PRICE_BASIS.dollarsOf, { description: 'The year whose US dollars the prices are in.' }),
    description: Type.String({ description: 'The basis in one sentence, for people.' }),
  },
  {
    description:
      'What every price is, the ones the model learned from and the ones it gives (valuations, ranges, the typical price): ' +
      PRICE_BASIS.description,
  },
);

export const Model = Type.Object({
  version: Type.String(),
  kind: Type.String({ description: 'The model kind (hedonic, gbdt, …).' }),
  createdAt: Type.String(),
  promotedAt: Type.Union([Type.String(), Type.Null()], { description: 'When it became the champion; null if never.' }),
  promotion: Type.Union(
    [
      Type.Object({
        action: Type.Union([Type.Literal('promote'), Type.Literal('rollback')]),
        reason: Type.String({
          description:
            'The reason recorded: the pipeline\'s decision, or "manual: …" with the --reason of `loupe models promote` / `rollback`.',
        }),
      }),
      Type.Null(),
    ],
    { description: 'How it last became the champion, and why; null if it never served.' },
  ),
  isChampion: Type.Boolean(),
  artifactSha256: Type.String(),
  trainingDataSha256: Type.String({ description: 'The data snapshot it learned from.' }),
  trainingRows: Type.Integer(),
  params: Type.Unknown(),
  metrics: ModelMetrics,
  priceBasis: PriceBasis,
  durationMs: Type.Number(),
  gitCommit: Type.Union([Type.String(), Type.Null()]),
  decision: Type.Union([Type.String(), Type.Null()], { description: 'Why it was or was not promoted.' }),
  modelCardUrl: Type.Union([Type.String(), Type.Null()], {
    description: 'Where its model card is (GET, same key), once the pipeline has written it.',
  }),
  caratLimit: Type.Optional(
    Type.Number({
      description:
        'GET /v1/models/current only, while this server serves this model: the heaviest stone it values, in carats (LOUPE_MAX_CARAT, else 1.5 × the heaviest stone the model learned from); a heavier one is refused with beyond_limit.',
    }),
  ),
});

export const ModelList = Type.Object({ champion: Type.Union([Type.String(), Type.Null()]), models: Type.Array(Model) });

export const Health = Type.Object({ status: Type.String() });
export const Readiness = Type.Object({
  status: Type.String(),
  modelVersion: Type.Union([Type.String(), Type.Null()]),
  database: Type.String(),
});

export const RequestsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    before: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_ID, description: 'Only entries older than this id (for paging).' }),
    ),
    status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
    route: Type.Optional(Type.String({ maxLength: 200 })),
    requestId: Type.Optional(Type.String({ maxLength: 128, description: 'Only the request with this X-Request-Id.' })),
  },
  { additionalProperties: false },
);

export const LoggedRequest = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  method: Type.String(),
  route: Type.String(),
  url: Type.String(),
  status: Type.Integer(),
  latencyMs: Type.Number(),
  keyId: Type.Union([Type.Integer(), Type.Null()]),
  keyName: Type.Union([Type.String(), Type.Null()]),
  modelVersion: Type.Union([Type.String(), Type.Null()]),
  requestBody: Type.Union([Type.String(), Type.Null()]),
  responseBody: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()], { description: 'The X-Request-Id of the answer.' }),
});

export const RequestList = Type.Object({
  requests: Type.Array(LoggedRequest),
  nextBefore: Type.Union([Type.Integer(), Type.Null()]),
});

export { STONE_FIELDS };
