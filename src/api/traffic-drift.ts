/**
 * Live traffic drift: a rolling summary of the stones being valued, compared with what the champion learned from.
 *
 * The reference is the champion's own training data as its artifact summarises it (traffic-reference.ts), so
 * nothing is read from the database, at start or per request. With a model trained since 2026-12-05, all nine
 * characteristics: for each, PSI over the pipeline's bins (the training values' deciles; grades per grade) with
 * the pipeline's formula, and for the six numbers the two-sample KS statistic read on a grid of 100 training
 * quantiles (within 0.01 below the exact statistic) with its p-value (the pipeline's formula, for n training
 * stones and m stones of the window; computed from a statistic never above the exact one, so never smaller than the
 * exact p-value). With an older model file, carat, colour and clarity, PSI only, from its support histogram.
 *
 * Bounded whatever the traffic: counts live in a ring of SLOTS time slots (default 24 of one hour: the window is
 * the last 24 hours), per partner key for at most MAX_PARTNERS keys (later keys share one "other keys" row) plus
 * the total. A slot holds one 32-bit counter per bin per feature: a number's KS grid has at most 2 × 99 edges (99
 * quantiles, each possibly split off a value many stones share), so at most 6 × 199 + 20 grades = 1,214 counters,
 * 4.9 KB (710, 2.8 KB, for a model of the reference data); a row is 24 slots, and there are at most 66 rows
 * (overall, 64 keys, other keys): 7.7 MB at most (4.5 MB for the reference data's model). Rows are made on a key's
 * first valuation. Recording a stone is an increment per feature (a binary search of at most 8 steps for a
 * number): no allocation, no database read. A new champion restarts the window: drift is always against the model
 * serving.
 */
import type { StoneFieldName, StoneToValue } from '../diamond/index.js';
import { binnedKs, ksPValue, psiOfShares, type LoadedModel, type SupportLevel } from '../model/index.js';
import { referenceOf, type Reference } from './traffic-reference.js';

const SUPPORT_LEVELS = ['typical', 'thin', 'beyond'] as const;
/** The id of the row that pools partner keys past maxPartners; keyless (open) valuations are key 0. */
export const OTHER_KEYS = -1;

export interface TrafficDriftOptions {
  slotSeconds?: number;
  slots?: number;
  maxPartners?: number;
  now?: () => number;
}

/** The counts of one time slot, reused when the ring comes round. */
class Tally {
  slot = -1;
  valued = 0;
  calls = 0;
  valuationSeconds = 0;
  readonly support = new Uint32Array(3);
  readonly counts: Uint32Array;
  constructor(size: number) {
    this.counts = new Uint32Array(size);
  }
  reset(slot: number): void {
    this.slot = slot;
    this.valued = 0;
    this.calls = 0;
    this.valuationSeconds = 0;
    this.support.fill(0);
    this.counts.fill(0);
  }
}

export interface FeatureDriftNow {
  feature: StoneFieldName;
  kind: 'number' | 'grade';
  /** Stones of the window that have this characteristic (4Cs-only stones have no measurements). */
  stones: number;
  /** NaN (null in JSON) while the window holds no such stone. */
  psi: number;
  /** Numbers of a model with a training distribution only. */
  ks: { statistic: number; pValue: number; maxError: number } | null;
}

export interface TrafficSummary {
  valued: number;
  /** Shares of the stones valued in the window by support level (valuations carry `support`). */
  support: Record<(typeof SUPPORT_LEVELS)[number], number>;
  drift: FeatureDriftNow[];
}

export interface TrafficReport {
  championVersion: string | null;
  /** What drift is measured against: the training distribution (nine characteristics) or the support histogram. */
  driftReference: Reference['source'] | null;
  window: { slotSeconds: number; slots: number; from: string; to: string };
  overall: TrafficSummary;
  partners: (TrafficSummary & { keyId: number; name: string })[];
  /** One entry per slot, oldest first: stones valued, valuation calls and their mean time. */
  series: { from: string; valued: number; calls: number; meanValuationSeconds: number | null }[];
}

/** What the summary reads of a valuation: its support level. */
export type Supported = { support: { level: SupportLevel } };

export class TrafficDrift {
  readonly slotMs: number;
  readonly slots: number;
  readonly maxPartners: number;
  private readonly now: () => number;
  private reference: Reference | null = null;
  private overall: Tally[] = [];
  private partners = new Map<number, { name: string; tallies: Tally[] }>();

  constructor(options: TrafficDriftOptions = {}) {
    this.slotMs = (options.slotSeconds ?? 3600) * 1000;
    this.slots = options.slots ?? 24;
    this.maxPartners = options.maxPartners ?? 64;
    this.now = options.now ?? Date.now;
    this.overall = this.ring();
  }

  private ring(): Tally[] {
    const size = this.reference?.size ?? 0;
    return Array.from({ length: this.slots }, () => new Tally(size));
  }

  private tallyOf(ring: Tally[], slot: number): Tally {
    const t = ring[slot % this.slots];
    if (t.slot !== slot) t.reset(slot);
    return t;
  }

  private partnerRing(key: { id: number; name: string } | null): Tally[] {
    const id = key?.id ?? 0;
    let row = this.partners.get(id);
    if (!row) {
      if (id !== OTHER_KEYS && this.partners.size >= this.maxPartners)
        return this.partnerRing({ id: OTHER_KEYS, name: 'other keys' });
      row = { name: key?.name ?? 'open (no key)', tallies: this.ring() };
      this.partners.set(id, row);
    }
    return row.tallies;
  }

  /** Counts a call into the overall tally and the partner's, each stone's bins found once for both. */
  private count(
    overall: Tally,
    partner: Tally,
    reference: Reference,
    stones: readonly StoneToValue[],
    valued: readonly Supported[],
    seconds: number,
  ): void {
    for (const t of [overall, partner]) {
      t.calls++;
      t.valuationSeconds += seconds;
      t.valued += stones.length;
    }
    const { features } = reference;
    for (let i = 0; i < stones.length; i++) {
      const s = stones[i];
      for (let f = 0; f < features.length; f++) {
        const k = features[f].counter(s);
        if (k >= 0) {
          overall.counts[features[f].offset + k]++;
          partner.counts[features[f].offset + k]++;
        }
      }
      const level = SUPPORT_LEVELS.indexOf(valued[i].support.level);
      overall.support[level]++;
      partner.support[level]++;
    }
  }

  /** Counts the stones one valuation call valued (`seconds`: the call's time). */
  record(
    model: LoadedModel,
    key: { id: number; name: string } | null,
    stones: readonly StoneToValue[],
    valued: readonly Supported[],
    seconds: number,
  ): void {
    if (this.reference?.version !== model.version) {
      this.reference = referenceOf(model);
      this.overall = this.ring();
      this.partners.clear();
    }
    const slot = Math.floor(this.now() / this.slotMs);
    const overall = this.tallyOf(this.overall, slot);
    this.count(overall, this.tallyOf(this.partnerRing(key), slot), this.reference, stones, valued, seconds);
  }

  private live(ring: Tally[]): Tally[] {
    const slot = Math.floor(this.now() / this.slotMs);
    return ring.filter((t) => t.slot > slot - this.slots && t.slot <= slot);
  }

  private summary(ring: Tally[]): TrafficSummary {
    const live = this.live(ring);
    const valued = live.reduce((n, t) => n + t.valued, 0);
    const support = [0, 1, 2].map((k) => live.reduce((n, t) => n + t.support[k], 0) / valued || 0);
    const drift = (this.reference?.features ?? []).map((f): FeatureDriftNow => {
      const counts = new Array<number>(f.bins).fill(0);
      for (const t of live) for (let k = 0; k < f.bins; k++) counts[k] += t.counts[f.offset + k];
      const stones = counts.reduce((s, c) => s + c, 0);
      const shares = new Array<number>(f.psiShares.length).fill(0);
      counts.forEach((c, k) => {
        shares[f.psiGroupOf[k]] += c / stones;
      });
      const statistic = f.ks && stones > 0 ? binnedKs(f.ks.counts, counts) : Number.NaN;
      return {
        feature: f.feature,
        kind: f.kind,
        stones,
        psi: stones === 0 ? Number.NaN : psiOfShares(f.psiShares, shares),
        ks: f.ks && {
          statistic,
          pValue: ksPValue(statistic, f.ks.rows, stones),
          maxError: f.ks.maxError,
        },
      };
    });
    return {
      valued,
      support: { typical: support[0], thin: support[1], beyond: support[2] },
      drift,
    };
  }

  /** The overall summary of the window (for the metrics, read at each scrape). */
  overallSummary(): TrafficSummary {
    return this.summary(this.overall);
  }

  report(): TrafficReport {
    const slot = Math.floor(this.now() / this.slotMs);
    const first = slot - this.slots + 1;
    const at = (s: number) => new Date(s * this.slotMs).toISOString();
    const bySlot = new Map(this.live(this.overall).map((t) => [t.slot, t]));
    return {
      championVersion: this.reference?.version ?? null,
      driftReference: this.reference?.source ?? null,
      window: { slotSeconds: this.slotMs / 1000, slots: this.slots, from: at(first), to: at(slot + 1) },
      overall: this.overallSummary(),
      partners: [...this.partners].map(([keyId, row]) => ({ keyId, name: row.name, ...this.summary(row.tallies) })),
      series: Array.from({ length: this.slots }, (_, k) => {
        const t = bySlot.get(first + k);
        return {
          from: at(first + k),
          valued: t?.valued ?? 0,
          calls: t?.calls ?? 0,
          meanValuationSeconds: t && t.calls > 0 ? t.valuationSeconds / t.calls : null,
        };
      }),
    };
  }
}
