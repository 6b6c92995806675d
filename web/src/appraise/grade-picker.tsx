/**
 * A grade as a row of choices, worst to best, each with its one-line meaning: the meaning of the chosen grade is
 * shown beneath, every grade's meaning is one click away, and a screen reader reads each grade's meaning with it.
 * Arrow keys move between grades (native radio behaviour).
 */
import type { GradeField } from '../../../src/diamond/fields.js';
import type { FieldProblem } from '../api.js';
import { inputId } from './stone-values.js';

interface Props {
  spec: GradeField;
  value: string;
  problems: FieldProblem[];
  invalid: boolean;
  onChange: (value: string) => void;
}

const slug = (code: string): string => code.toLowerCase().replace(/[^a-z0-9]+/g, '-');

export function GradePicker({ spec, value, problems, invalid, onChange }: Props) {
  const id = inputId(spec.name);
  const errorId = `${id}-error`;
  const chosen = spec.scale.find((g) => g.code === value);
  return (
    <fieldset
      class={`field grade${invalid ? ' field--invalid' : ''}`}
      id={id}
      aria-describedby={problems.length > 0 ? errorId : undefined}
    >
      <legend class="field__label">
        {spec.label} <span class="grade__order">worst → best</span>
      </legend>
      <div class={`grade__options grade__options--${spec.name}`}>
        {spec.scale.map((g) => {
          const optionId = `${id}-${slug(g.code)}`;
          return (
            <label class="grade__option" key={g.code} title={g.meaning}>
              <input
                type="radio"
                id={optionId}
                name={spec.name}
                value={g.code}
                checked={g.code === value}
                aria-describedby={`${optionId}-meaning`}
                aria-invalid={invalid ? 'true' : undefined}
                onChange={() => onChange(g.code)}
              />
              <span>{g.code}</span>
            </label>
          );
        })}
      </div>
      <p class="grade__meaning" aria-hidden="true">
        {chosen ? chosen.meaning : `Choose a ${spec.label.toLowerCase()} grade.`}
      </p>
      {problems.length > 0 && (
        <p class="field__error" id={errorId}>
          {problems.map((p) => p.message).join(' ')}
        </p>
      )}
      <details class="grade__all">
        <summary>What the {spec.label.toLowerCase()} grades mean</summary>
        <dl>
          {spec.scale.map((g) => (
            <div key={g.code}>
              <dt>{g.code}</dt>
              <dd id={`${id}-${slug(g.code)}-meaning`}>{g.meaning}</dd>
            </div>
          ))}
        </dl>
      </details>
    </fieldset>
  );
}
