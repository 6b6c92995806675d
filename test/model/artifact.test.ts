import { beforeAll, describe, expect, it } from 'vitest';
import {
  ArtifactError,
  createValuer,
  evaluateModel,
  loadValuer,
  parseArtifact,
  serializeArtifact,
  trainModel,
  type ModelArtifact,
} from '../../src/model/index.js';
import { COLORS } from '../../src/diamond/index.js';
import { binCounts, quantileEdges } from '../../src/engine/distribution.js';
import { checksum } from '../../src/engine/serialize.js';
import { featureColumns } from '../../src/model/features.js';
import { hedonic } from '../../src/model/kinds/hedonic.js';
import { referenceSplit, type ReferenceSplit } from '../helpers/reference.js';
import { SMALL_DIFFICULTY_TREES } from '../helpers/small-data.js';

/** A model's training ranges, to be damaged: any JSON may stand in a file. */
type Ranges = Record<string, unknown> & ModelArtifact['trainingData']['ranges'];

let data: ReferenceSplit;
let artifact: ModelArtifact;

beforeAll(async () => {
  data = await referenceSplit();
  artifact = trainModel(data.train, { kind: 'hedonic', seed: 7 });
});

describe('model artifact', () => {
  it('is deterministic: the same rows and seed give identical bytes', () => {
    expect(serializeArtifact(trainModel(data.train, { kind: 'hedonic', seed: 7 }))).toBe(serializeArtifact(artifact));
  });

  it('names its training data by content hash', () => {
    expect(artifact.trainingData.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(artifact.trainingData.rows).toBe(data.train.length);
    // Only its hash is read: a difficulty model of 30 trees (not 300) keeps this training quick.
    const other = trainModel(data.train.slice(1), {
      kind: 'hedonic',
      seed: 7,
      difficultyTrees: SMALL_DIFFICULTY_TREES,
    });
    expect(other.trainingData.sha256).not.toBe(artifact.trainingData.sha256);
  });

  it('round-trips: a loaded artifact values stones exactly as the one trained', () => {
    const a = createValuer(artifact, 'a');
    const b = loadValuer(serializeArtifact(artifact), 'b');
    for (const r of data.test.slice(0, 200)) expect(b.price(r)).toEqual(a.price(r));
  });

  it.each([
    ['truncated', (t: string) => t.slice(0, t.length >> 1), /not valid JSON.*truncated/],
    ['not a model', () => '{"hello": 1}', /not a Loupe model file/],
    [
      'a newer format',
      (t: string) => t.replace('"formatVersion":3', '"formatVersion":99'),
      /format version 99 is not supported/,
    ],
    [
      'an older format',
      (t: string) => t.replace('"formatVersion":3', '"formatVersion":1'),
      /format version 1 predates .* retrain the model/,
    ],
    [
      'a format without 4Cs-only ranges',
      (t: string) => t.replace('"formatVersion":3', '"formatVersion":2'),
      /format version 2 predates valuations from the 4Cs alone.* retrain the model/,
    ],
    [
      'broken 4Cs-only ranges',
      (t: string) => t.replace(/"fill":\{[^}]*\}/, '"fill":{"depth":61.8}'),
      /no valid 4Cs-only calibration/,
    ],
    ['other features', (t: string) => t.replace('"density"', '"sparkle"'), /feature spec/],
    ['no calibration', (t: string) => t.replace(/"levels":\[[^\]]*\]/, '"levels":[]'), /no valid range calibration/],
  ])('refuses a %s file with a clear error', (_name, damage, message) => {
    const text = damage(serializeArtifact(artifact));
    expect(() => parseArtifact(text)).toThrow(ArtifactError);
    expect(() => parseArtifact(text)).toThrow(message);
  });

  it.each([
    ['a string as the heaviest carat', (r: Ranges) => ({ ...r, carat: [r.carat![0], 'x'] }), /carat is \[[\d.]+,"x"\]/],
    ['a null carat range', (r: Ranges) => ({ ...r, carat: null }), /carat is null/],
    ['a null maximum', (r: Ranges) => ({ ...r, carat: [r.carat![0], null] }), /carat is \[[\d.]+,null\]/],
    ['no carat range', ({ carat: _c, ...r }: Ranges) => r, /carat is missing/],
    ['a minimum above the maximum', (r: Ranges) => ({ ...r, depth: [70, 50] }), /depth is \[70,50\]/],
    ['"NaN" as a number', (r: Ranges) => ({ ...r, price: ['NaN', r.price![1]] }), /price is \["NaN",\d+\]/],
    ['three numbers', (r: Ranges) => ({ ...r, x: [1, 2, 3] }), /x is \[1,2,3\]/],
    ['no ranges at all', () => 'none', /ranges is "none"/],
  ])('refuses training ranges with %s, naming the field', (_name, damage, named) => {
    const ranges = damage(artifact.trainingData.ranges);
    const text = serializeArtifact({
      ...artifact,
      trainingData: { ...artifact.trainingData, ranges },
    } as ModelArtifact);
    expect(() => parseArtifact(text)).toThrow(ArtifactError);
    expect(() => parseArtifact(text)).toThrow(/^model file has no valid training data: trainingData\.ranges/);
    expect(() => parseArtifact(text)).toThrow(named);
    expect(() => parseArtifact(text)).toThrow(/\[min, max\], two numbers with min ≤ max/);
  });

  it.each([
    ['rows', { rows: 'many' }, /trainingData\.rows "many"; it must be a positive whole number/],
    ['rows', { rows: 0 }, /trainingData\.rows 0; it must be a positive whole number/],
    ['sha256', { sha256: null }, /lacks the SHA-256 of its training data \(trainingData\.sha256, 64 hex digits\)/],
  ])('refuses training data whose %s is %o', (_field, edit, message) => {
    const text = serializeArtifact({
      ...artifact,
      trainingData: { ...artifact.trainingData, ...edit },
    } as ModelArtifact);
    expect(() => parseArtifact(text)).toThrow(ArtifactError);
    expect(() => parseArtifact(text)).toThrow(message);
  });

  it('loads an artifact whose difficulty model is hedonic (trained before 2026-12-05) and gives its ranges', () => {
    expect(artifact.difficulty.kind).toBe('gbdt');
    // a hedonic difficulty model of a constant log |residual| of log 0.05: σ = 0.05 for every stone
    const rows = data.train.slice(0, 300);
    const flat = hedonic.fit(
      featureColumns(rows),
      new Float64Array(rows.length).fill(Math.log(0.05)),
      hedonic.defaultParams,
      {
        seed: 1,
      },
    );
    const older: ModelArtifact = { ...artifact, difficulty: { kind: 'hedonic', model: flat.payload(), floor: 0.01 } };
    const valuer = loadValuer(serializeArtifact(older), 'older');
    const stone = data.test[0];
    const priced = valuer.price(stone);
    expect(priced.price).toBe(createValuer(artifact, 'now').price(stone).price);
    expect(priced.range).not.toBeNull();
    expect(priced.range!.low).toBeGreaterThan(0);
  });

  it("summarises the training distribution of all nine characteristics, with the pipeline's deciles", () => {
    const d = artifact.trainingData.distribution!;
    expect(d.ksQuantiles).toBe(100);
    for (const f of ['carat', 'depth', 'table', 'x', 'y', 'z'] as const) {
      const values = data.train.map((r) => r[f]);
      expect(d.numbers[f].psiEdges).toEqual(quantileEdges(values, 10));
      expect(d.numbers[f].ksCounts).toEqual(binCounts(values, d.numbers[f].ksEdges));
    }
    expect(d.grades.cut.reduce((s, c) => s + c, 0)).toBe(data.train.length);
    expect(d.grades.color[COLORS.indexOf('G')]).toBe(data.train.filter((r) => r.color === 'G').length);
  });

  it('loads a file written before the training distribution (none), and refuses a damaged one', () => {
    const { distribution: _d, ...trainingData } = artifact.trainingData;
    expect(parseArtifact(serializeArtifact({ ...artifact, trainingData })).trainingData.distribution).toBeUndefined();
    const damaged = serializeArtifact(artifact).replace('"ksCounts":[', '"ksCounts":[1,');
    expect(() => parseArtifact(damaged)).toThrow(/no valid training distribution: training distribution of carat/);
  });

  it('refuses, in one line, a file whose difficulty floor, metrics or description are not what a valuation can use', () => {
    const text = serializeArtifact(artifact);
    const edited = (edit: (a: any) => void) => {
      const copy = JSON.parse(text);
      edit(copy);
      return JSON.stringify(copy);
    };
    const cases: [string, RegExp][] = [
      [edited((a) => (a.difficulty.floor = -1)), /has no valid difficulty model: it needs a kind and a floor/],
      [edited((a) => delete a.difficulty.floor), /has no valid difficulty model/],
      [edited((a) => (a.difficulty.floor = 'x')), /has no valid difficulty model/],
      [
        edited((a) => (a.difficulty.floor = 12345)).replace('"floor":12345', '"floor":1e400'),
        /has no valid difficulty/,
      ],
      [edited((a) => (a.fourCs.difficulty.floor = 12345)).replace('"floor":12345', '"floor":1e400'), /4Cs-only/],
      // Finite but absurd: every range was withheld, "from $0 to $∞" (trained floors are a few hundredths).
      [edited((a) => (a.difficulty.floor = 1e300)), /has no valid difficulty model: .*at most 1/],
      [
        edited((a) => (a.fourCs.difficulty.floor = 1.5)),
        /4Cs-only ranges need a difficulty model with a floor, .*at most 1/,
      ],
      [edited((a) => (a.metrics = {})), /no valid metrics: out-of-fold metrics are missing/],
      [
        edited((a) => (a.metrics.outOfFold.mdape = 'x')),
        /no valid metrics: out-of-fold metrics: mdape must be a number/,
      ],
      [edited((a) => (a.fourCs.metrics.outOfFold = {})), /no valid 4Cs-only calibration: out-of-fold metrics: n must/],
      [edited((a) => (a.trainingData.rows = 'many')), /trainingData.rows "many"; it must be a positive whole number/],
      [edited((a) => (a.trainingData.sha256 = 5)), /lacks the SHA-256 of its training data/],
      [edited((a) => (a.params = 5)), /has params that are not an object/],
      [edited((a) => (a.seed = -1)), /has seed -1, not a whole number/],
      [edited((a) => (a.kind = 7)), /has kind 7; it must be the name of a model kind/],
    ];
    for (const [bad, message] of cases) {
      expect(() => loadValuer(bad, 'x')).toThrow(ArtifactError);
      expect(() => loadValuer(bad, 'x')).toThrow(message);
    }
    // a model whose out-of-fold ranges were all withheld has no median width (null): it loads and values
    const withheld = edited((a) => (a.fourCs.metrics.outOfFold.range.medianRelativeWidth = null));
    const fourCs = loadValuer(withheld, 'x').value({ carat: 0.9, cut: 'Ideal', color: 'G', clarity: 'VS2' });
    expect(fourCs.warnings[0].message).toMatch(/median not measured of the price/);
  });

  it('refuses a model whose outputs reach past ±50 in log, which would quote prices of $0 or Infinity', () => {
    const text = serializeArtifact(artifact);
    const edited = (edit: (a: any) => void) => {
      const copy = JSON.parse(text);
      edit(copy);
      return JSON.stringify(copy);
    };
    expect(() =>
      loadValuer(
        edited((a) => (a.model.intercept = 1e300)),
        'x',
      ),
    ).toThrow(
      "model file's hedonic model cannot be loaded: hedonic payload is not valid: its log outputs reach from 1e+300 to 1e+300; a model's stay within ±50",
    );
    const member = (a: any) => a.difficulty.model.members[0];
    const gbdt = edited((a) => {
      member(a).model.baseScore = -1e300;
      member(a).checksum = checksum(JSON.stringify(member(a).model));
    });
    expect(() => loadValuer(gbdt, 'x')).toThrow(
      /difficulty model cannot be loaded: gbdt payload is not valid: its log outputs/,
    );
    // a 4Cs-only stone takes the file's typical depth and table: they are held to the fields' limits too
    expect(() =>
      loadValuer(
        edited((a) => (a.fourCs.fill.depth = 1e300)),
        'x',
      ),
    ).toThrow(/no valid 4Cs-only calibration: .*depth and table within their fields/);
  });

  it('refuses a payload that does not fit its kind', () => {
    const text = serializeArtifact({ ...artifact, model: { intercept: 'x' } });
    expect(() => loadValuer(text, 'x')).toThrow(/payload is not valid/);
  });
});

describe('valuation', () => {
  it('quotes a rounded price inside its range, explained by steps that end exactly at the price', () => {
    const valuer = createValuer(artifact, 'v1');
    for (const stone of data.test.slice(0, 100)) {
      const v = valuer.value(stone);
      expect(v.currency).toBe('USD');
      expect(v.modelVersion).toBe('v1');
      expect(v.range!.low).toBeLessThanOrEqual(v.price);
      expect(v.range!.high).toBeGreaterThanOrEqual(v.price);
      const e = v.explanation!;
      expect(e.steps.map((s) => s.factor)).toEqual(['carat', 'cut', 'color', 'clarity', 'proportions']);
      const product = e.steps.reduce((p, s) => p * s.multiplier, e.typicalPrice);
      expect(Math.abs(product - e.price) / e.price).toBeLessThan(1e-12);
      expect(Math.abs(e.steps.at(-1)!.priceAfter - e.price)).toBeLessThan(1e-6);
      const dollars = e.steps.reduce((s, step) => s + step.dollars, e.typicalPrice);
      expect(Math.abs(dollars - e.price)).toBeLessThan(1e-6);
      expect(Math.abs(valuer.price(stone).price - e.price)).toBeLessThan(1e-6);
    }
  });

  it('skips the explanation when asked, and warns when a stone lies outside the training range', () => {
    const valuer = createValuer(artifact, 'v1');
    const big = {
      carat: 4.5,
      cut: 'Ideal',
      color: 'G',
      clarity: 'VS2',
      depth: 61.8,
      table: 57,
      x: 10.6,
      y: 10.6,
      z: 6.55,
    } as const;
    const v = valuer.value(big, { explain: false });
    expect(v.explanation).toBeUndefined();
    expect(v.warnings.map((w) => w.field)).toContain('carat,x,y,z');
  });

  it('has ranges whose coverage on held-out rows is within 3 points of nominal', () => {
    const e = evaluateModel(createValuer(artifact, 'v1'), data.test);
    expect(e.range.nominal).toBe(90);
    expect(Math.abs(e.range.coverage - 90)).toBeLessThanOrEqual(3);
  });
});
