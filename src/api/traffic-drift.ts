/**
 * Live traffic drift: a rolling summary of the stones being valued, compared with what the champion learned from.
 *
 * The reference is the champion's own support histogram (stored in its artifact: carat on a 5% log grid × colour
 * × clarity), so nothing is read from the database, at start or per request. Carat is compared over about ten
 * groups of that grid holding equal shares of the training stones (the pipeline's deciles, on the artifact's
 * grid); colour and clarity over their grades. PSI is report/stats' psiOfShares, the pipeline's formula. Cut and
 * the measurements are not in the artifact, so they are not tracked live (the pipeline's drift step covers them).
 *
 * Bounded whatever the traffic: counts live in a ring of SLOTS time slots (default 24 of one hour: the window is
 * the last 24 hours), per partner key for at most MAX_PARTNERS keys (later keys share one "other keys" row) plus
 * the total. Recording a stone is a few array increments. A new champion restarts the window: drift is always
 * against the model serving.
 */
import { CLARITIES, COLORS, type Stone } from '../diamond/index.js';
import { caratBin, type LoadedModel, type SupportHistogram, type Valuation } from '../model/index.js';
import { psiOfShares } from '../report/stats.js';

export const DRIFT_FEATURES = ['carat', 'color', 'clarity'] as const;
export type DriftFeature = (typeof DRIFT_FEATURES)[number];
const SUPPORT_LEVELS = ['typical', 'thin', 'beyond'] as const;
const CARAT_GROUPS = 10;
/** The id of the row that pools partner keys past maxPartners; keyless (open) valuations are key 0. */
export const OTHER_KEYS = -1;

export interface TrafficDriftOptions {
  slotSeconds?: number;
  slots?: number;
  maxPartners?: number;
  now?: () => number;
}

interface Reference {
  version: string;
  caratGroupOf: Int32Array;
  shares: Record<DriftFeature, number[]>;
}

/** The counts of one time slot. */
class Tally {
  slot = -1;
  valued = 0;
  calls = 0;
  valuationSeconds = 0;
  support = [0, 0, 0];
  carat = new Array<number>(CARAT_GROUPS).fill(0);
  color = new Array<number>(COLORS.length).fill(0);
  clarity = new Array<number>(CLARITIES.length).fill(0);
}

export interface FeatureDriftNow {
  feature: DriftFeature;
  /** NaN (null in JSON) while the window holds no stone. */
  psi: number;
}

export interface TrafficSummary {
  valued: number;
  /** Shares of the stones valued in the window by support level (valuations carry `support`). */
  support: Record<(typeof SUPPORT_LEVELS)[number], number>;
  drift: FeatureDriftNow[];
}

export interface TrafficReport {
  championVersion: string | null;
  window: { slotSeconds: number; slots: number; from: string; to: string };
  overall: TrafficSummary;
  partners: (TrafficSummary & { keyId: number; name: string })[];
  /** One entry per slot, oldest first: stones valued, valuation calls and their mean time. */
  series: { from: string; valued: number; calls: number; meanValuationSeconds: number | null }[];
}

function referenceOf(version: string, h: SupportHistogram): Reference {
  const per = COLORS.length * CLARITIES.length;
  const caratFine = new Array<number>(h.bins).fill(0);
  const color = new Array<number>(COLORS.length).fill(0);
  const clarity = new Array<number>(CLARITIES.length).fill(0);
  let total = 0;
  h.counts.forEach((n, i) => {
    caratFine[Math.floor(i / per)] += n;
    color[Math.floor(i / CLARITIES.length) % COLORS.length] += n;
    clarity[i % CLARITIES.length] += n;
    total += n;
  });
  // Fine carat bins grouped so that each group holds about a tenth of the training stones.
  const caratGroupOf = new Int32Array(h.bins);
  const carat = new Array<number>(CARAT_GROUPS).fill(0);
  let seen = 0;
  for (let b = 0; b < h.bins; b++) {
    const group = Math.min(CARAT_GROUPS - 1, Math.floor((seen * CARAT_GROUPS) / Math.max(1, total)));
    caratGroupOf[b] = group;
    carat[group] += caratFine[b];
    seen += caratFine[b];
  }
  const share = (v: number[]) => v.map((n) => n / Math.max(1, total));
  return { version, caratGroupOf, shares: { carat: share(carat), color: share(color), clarity: share(clarity) } };
}

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
    return Array.from({ length: this.slots }, () => new Tally());
  }

  private tallyOf(ring: Tally[], slot: number): Tally {
    const index = slot % this.slots;
    if (ring[index].slot !== slot) {
      ring[index] = new Tally();
      ring[index].slot = slot;
    }
    return ring[index];
  }

  private partnerRing(key: { id: number; name: string } | null): Tally[] {
    const id = key?.id ?? 0;
    let row = this.partners.get(id);
    if (!row) {
      if (this.partners.size >= this.maxPartners) return this.partnerRing({ id: OTHER_KEYS, name: 'other keys' });
      row = { name: key?.name ?? 'open (no key)', tallies: this.ring() };
      this.partners.set(id, row);
    }
    return row.tallies;
  }

  /** Counts the stones one valuation call valued (`seconds`: the call's time). */
  record(
    model: LoadedModel,
    key: { id: number; name: string } | null,
    stones: readonly Pick<Stone, 'carat' | 'color' | 'clarity'>[],
    valued: readonly Pick<Valuation, 'support'>[],
    seconds: number,
  ): void {
    if (this.reference?.version !== model.version) {
      this.reference = referenceOf(model.version, model.artifact.trainingData.support);
      this.overall = this.ring();
      this.partners.clear();
    }
    const slot = Math.floor(this.now() / this.slotMs);
    const { caratGroupOf } = this.reference;
    for (const ring of [this.overall, this.partnerRing(key)]) {
      const t = this.tallyOf(ring, slot);
      t.calls++;
      t.valuationSeconds += seconds;
      t.valued += stones.length;
      for (let i = 0; i < stones.length; i++) {
        const s = stones[i];
        t.carat[caratGroupOf[caratBin(s.carat)]]++;
        t.color[COLORS.indexOf(s.color)]++;
        t.clarity[CLARITIES.indexOf(s.clarity)]++;
        t.support[SUPPORT_LEVELS.indexOf(valued[i].support.level)]++;
      }
    }
  }

  private live(ring: Tally[]): Tally[] {
    const slot = Math.floor(this.now() / this.slotMs);
    return ring.filter((t) => t.slot > slot - this.slots && t.slot <= slot);
  }

  private summary(ring: Tally[]): TrafficSummary {
    const live = this.live(ring);
    const sum = (pick: (t: Tally) => number[], length: number) => {
      const out = new Array<number>(length).fill(0);
      for (const t of live) {
        const counts = pick(t);
        for (let k = 0; k < length; k++) out[k] += counts[k];
      }
      return out;
    };
    const valued = live.reduce((n, t) => n + t.valued, 0);
    const share = (v: number[]) => v.map((n) => n / valued);
    const support = sum((t) => t.support, 3);
    const counts: Record<DriftFeature, number[]> = {
      carat: sum((t) => t.carat, CARAT_GROUPS),
      color: sum((t) => t.color, COLORS.length),
      clarity: sum((t) => t.clarity, CLARITIES.length),
    };
    return {
      valued,
      support: { typical: support[0] / valued || 0, thin: support[1] / valued || 0, beyond: support[2] / valued || 0 },
      drift: DRIFT_FEATURES.map((feature) => ({
        feature,
        psi:
          valued === 0 || !this.reference
            ? Number.NaN
            : psiOfShares(this.reference.shares[feature], share(counts[feature])),
      })),
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
