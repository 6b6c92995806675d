/**
 * Reading a model's metrics (as the pipeline records them) for people: accuracy on the rows it never saw,
 * how honest its ranges are, where it errs most, and what drives its prices. The metrics are open-ended JSON, so
 * every reader checks the shape and gives up quietly (undefined) rather than show a wrong number.
 */

export interface Accuracy {
  n: number;
  mae: number;
  rmse: number;
  mape: number;
  mdape: number;
  r2: number;
  range?: { coverage: number; nominal: number; medianRelativeWidth: number };
}

export interface Segment {
  by: string;
  segment: string;
  n: number;
  mae: number;
  mape: number;
}

export interface FactorEffect {
  factor: string;
  meanAbsEffectPct: number;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function at(root: unknown, ...path: string[]): unknown {
  let v = root;
  for (const key of path) {
    if (!isObject(v)) return undefined;
    v = v[key];
  }
  return v;
}

function accuracy(v: unknown): Accuracy | undefined {
  if (!isObject(v) || !['n', 'mae', 'rmse', 'mape', 'mdape', 'r2'].every((k) => isNumber(v[k]))) return undefined;
  const r = v.range;
  const range =
    isObject(r) && isNumber(r.coverage) && isNumber(r.nominal) && isNumber(r.medianRelativeWidth)
      ? { coverage: r.coverage, nominal: r.nominal, medianRelativeWidth: r.medianRelativeWidth }
      : undefined;
  return {
    n: v.n as number,
    mae: v.mae as number,
    rmse: v.rmse as number,
    mape: v.mape as number,
    mdape: v.mdape as number,
    r2: v.r2 as number,
    range,
  };
}

/** The accuracy rows a model card shows, best evidence first: held-out reference test, newest appraisals, out-of-fold. */
export function accuracyRows(metrics: unknown): { name: string; accuracy: Accuracy }[] {
  const rows: { name: string; accuracy: Accuracy }[] = [];
  const add = (name: string, v: unknown) => {
    const a = accuracy(v);
    if (a) rows.push({ name, accuracy: a });
  };
  add('Reference test (held out)', at(metrics, 'evaluation', 'referenceTest'));
  add('Newest appraisals (held out)', at(metrics, 'evaluation', 'newest'));
  add('Cross-validation on training rows', at(metrics, 'outOfFold'));
  if (rows.length === 0) add('Evaluation', metrics);
  return rows;
}

/** The headline: the held-out evaluation over everything (combined), else the first accuracy row. */
export function headline(metrics: unknown): Accuracy | undefined {
  return accuracy(at(metrics, 'evaluation', 'combined')) ?? accuracyRows(metrics)[0]?.accuracy;
}

export function segments(metrics: unknown): Segment[] {
  const list = at(metrics, 'evaluation', 'segments');
  if (!Array.isArray(list)) return [];
  return list.filter(
    (s): s is Segment =>
      isObject(s) &&
      typeof s.by === 'string' &&
      typeof s.segment === 'string' &&
      isNumber(s.n) &&
      isNumber(s.mae) &&
      isNumber(s.mape),
  );
}

export function factorEffects(metrics: unknown): FactorEffect[] {
  const list = at(metrics, 'evaluation', 'explanation');
  if (!Array.isArray(list)) return [];
  return list.filter(
    (f): f is FactorEffect => isObject(f) && typeof f.factor === 'string' && isNumber(f.meanAbsEffectPct),
  );
}

export function promotionRule(metrics: unknown): string | undefined {
  const r = at(metrics, 'promotionRule');
  if (!isObject(r) || typeof r.metric !== 'string' || !isNumber(r.tolerance) || !isNumber(r.coverageMarginPts))
    return undefined;
  return (
    `A new model replaces the current one only if its ${r.metric.toUpperCase()} is at most ${(r.tolerance * 100).toFixed(1)}% worse ` +
    `on the same held-out rows and its ranges hold the true price for at least the nominal share minus ${r.coverageMarginPts} points.`
  );
}
