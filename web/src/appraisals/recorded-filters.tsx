/** The filters of the recorded list: days (UTC), who recorded, the three grades, and outside the model's range. */
import { FIELDS } from '../../../src/diamond/fields.js';
import type { AppraisalFilter, AppraisalList } from '../api.js';

interface Props {
  filter: AppraisalFilter;
  recorders: AppraisalList['recorders'];
  onChange: (filter: AppraisalFilter) => void;
}

export function RecordedFilters({ filter, recorders, onChange }: Props) {
  const set = <K extends keyof AppraisalFilter>(key: K, value: AppraisalFilter[K] | '') =>
    onChange({ ...filter, [key]: value === '' ? undefined : value });
  const grade = (name: 'cut' | 'color' | 'clarity') => (
    <div class="filter">
      <label for={`filter-${name}`}>{FIELDS[name].label}</label>
      <select
        id={`filter-${name}`}
        value={filter[name] ?? ''}
        onChange={(e) => set(name, (e.currentTarget as HTMLSelectElement).value as AppraisalFilter[typeof name])}
      >
        <option value="">any</option>
        {FIELDS[name].scale.map((g) => (
          <option key={g.code} value={g.code}>
            {g.code}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <fieldset class="filters">
      <legend class="visually-hidden">Filter the recorded appraisals</legend>
      <div class="filter">
        <label for="filter-from">From (UTC)</label>
        <input
          id="filter-from"
          type="date"
          value={filter.from ?? ''}
          onChange={(e) => set('from', (e.currentTarget as HTMLInputElement).value)}
        />
      </div>
      <div class="filter">
        <label for="filter-to">To (UTC)</label>
        <input
          id="filter-to"
          type="date"
          value={filter.to ?? ''}
          onChange={(e) => set('to', (e.currentTarget as HTMLInputElement).value)}
        />
      </div>
      <div class="filter">
        <label for="filter-who">Recorded by</label>
        <select
          id="filter-who"
          value={filter.who ?? ''}
          onChange={(e) => set('who', (e.currentTarget as HTMLSelectElement).value)}
        >
          <option value="">anyone</option>
          {recorders.map((r) => (
            <option key={r.name} value={r.name}>
              {r.name} ({r.appraisals.toLocaleString('en-US')})
            </option>
          ))}
        </select>
      </div>
      {grade('cut')}
      {grade('color')}
      {grade('clarity')}
      <label class="checkbox filter__outside">
        <input
          type="checkbox"
          checked={filter.outside === true}
          onChange={(e) => set('outside', (e.currentTarget as HTMLInputElement).checked ? true : '')}
        />
        <span>Only where the expert's price is outside the model's range</span>
      </label>
    </fieldset>
  );
}
