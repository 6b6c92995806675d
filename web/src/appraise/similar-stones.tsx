/**
 * The appraised stones in Loupe's database closest to the one being valued, with the prices they were appraised
 * at: the comparison a client asks for ("what did stones like mine go for?").
 */
import { useEffect, useState } from 'preact/hooks';
import { FIELDS, hasMeasurements, type StoneToValue } from '../../../src/diamond/fields.js';
import { ApiError, similarStones, type SimilarityMode, type SimilarStone } from '../api.js';
import { money } from '../format.js';
import { ScrollRegion } from '../scroll-region.js';

const COUNT = 8;

/** The similar stones lightest first, with this stone in its place among them, so its estimate reads in context. */
function byWeight(stones: SimilarStone[], carat: number): (SimilarStone | 'this')[] {
  const sorted = [...stones].sort((a, b) => a.carat - b.carat || a.price - b.price);
  const at = sorted.findIndex((s) => s.carat > carat);
  const rows: (SimilarStone | 'this')[] = [...sorted];
  rows.splice(at < 0 ? rows.length : at, 0, 'this');
  return rows;
}

/**
 * The middle columns: proportions when the grades are all the same (a dash for a stone given by its 4Cs alone), the
 * grades when they are not.
 */
function Details({ s, mode }: { s: StoneToValue; mode: SimilarityMode }) {
  return mode === 'grades' ? (
    <>
      <td class="num">{hasMeasurements(s) ? `${s.depth.toFixed(1)}%` : '—'}</td>
      <td class="num">{hasMeasurements(s) ? `${s.table.toFixed(0)}%` : '—'}</td>
    </>
  ) : (
    <td class="nowrap">
      {s.cut} · {s.color} · {s.clarity}
    </td>
  );
}

/** Closest overall needs the measurements: a stone given by its 4Cs alone is compared by its grades only. */
export function SimilarStones({ stone, price }: { stone: StoneToValue; price: number }) {
  const [stones, setStones] = useState<SimilarStone[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setMode] = useState<SimilarityMode>('grades');
  const mode: SimilarityMode = hasMeasurements(stone) ? chosen : 'grades';

  useEffect(() => {
    const controller = new AbortController();
    setStones(null);
    setError(null);
    similarStones(stone, COUNT, mode, controller.signal)
      .then(setStones)
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e instanceof ApiError ? e.message : String(e));
      });
    return () => controller.abort();
  }, [stone, mode]);

  return (
    <section class="panel similar" aria-labelledby="similar-title">
      <div class="panel__head">
        <h2 id="similar-title" class="panel__title">
          Similar stones
        </h2>
      </div>
      <fieldset class="toggle">
        <legend class="visually-hidden">Similar by</legend>
        {(hasMeasurements(stone) ? (['grades', 'all'] as const) : (['grades'] as const)).map((m) => (
          <label class="toggle__option" key={m}>
            <input type="radio" name="similar-mode" value={m} checked={mode === m} onChange={() => setMode(m)} />
            <span>{m === 'grades' ? 'Same grades' : 'Closest overall'}</span>
          </label>
        ))}
      </fieldset>
      <p class="panel__intro">
        {mode === 'grades'
          ? `Appraised stones with the same grades — ${stone.cut} cut, colour ${stone.color}, clarity ${stone.clarity} — and the closest weight.`
          : 'Appraised stones closest over all nine characteristics, grades and measurements alike.'}
      </p>
      <p class="visually-hidden" role="status">
        {stones === null ? '' : `${stones.length} similar ${stones.length === 1 ? 'stone' : 'stones'} found.`}
      </p>
      <div aria-busy={stones === null && error === null ? 'true' : 'false'}>
        {error ? (
          <p class="field__error">Similar stones are not available: {error}</p>
        ) : stones === null ? (
          <p class="muted">Looking for similar stones…</p>
        ) : stones.length === 0 ? (
          <p class="muted">No appraised stone has these three grades yet.</p>
        ) : (
          <ScrollRegion label="Similar stones">
            <table class="data-table similar__table" data-testid="similar-table">
              <caption class="visually-hidden">
                {mode === 'grades'
                  ? `The ${stones.length} appraised stones with grades ${stone.cut}, ${stone.color}, ${stone.clarity} closest in weight to this one`
                  : `The ${stones.length} appraised stones closest to this one over all characteristics`}
              </caption>
              <thead>
                <tr>
                  <th scope="col" class="num">
                    {FIELDS.carat.label}
                  </th>
                  {mode === 'grades' ? (
                    <>
                      <th scope="col" class="num">
                        {FIELDS.depth.label}
                      </th>
                      <th scope="col" class="num">
                        {FIELDS.table.label}
                      </th>
                    </>
                  ) : (
                    <th scope="col">Grades</th>
                  )}
                  <th scope="col" class="num">
                    Appraised
                  </th>
                </tr>
              </thead>
              <tbody>
                {byWeight(stones, stone.carat).map((s) =>
                  s === 'this' ? (
                    <tr key="this" class="row--current" data-testid="similar-this-stone">
                      <th scope="row" class="num">
                        {stone.carat.toFixed(2)} ct<span class="similar__tag">this stone</span>
                      </th>
                      <Details s={stone} mode={mode} />
                      <td class="num">
                        {money(price)}
                        <span class="similar__tag">estimate</span>
                      </td>
                    </tr>
                  ) : (
                    <tr key={s.id}>
                      <td class="num">{s.carat.toFixed(2)} ct</td>
                      <Details s={s} mode={mode} />
                      <td class="num">{money(s.price)}</td>
                    </tr>
                  ),
                )}
              </tbody>
            </table>
          </ScrollRegion>
        )}
      </div>
    </section>
  );
}
