/** One measured characteristic: a labelled text box with its unit, allowed range and any problem beneath it. */
import type { NumberField as NumberFieldSpec } from '../../../src/diamond/fields.js';
import type { FieldProblem } from '../api.js';
import { inputId, suggestedValue } from './stone-values.js';

interface Props {
  spec: NumberFieldSpec;
  value: string;
  problems: FieldProblem[];
  invalid: boolean;
  onInput: (value: string) => void;
  /** A tighter upper bound than the schema's (the served model's carat limit), when known. */
  max?: number;
}

export function NumberField({ spec, value, problems, invalid, onInput, max }: Props) {
  const id = inputId(spec.name);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    <div class={`field${invalid ? ' field--invalid' : ''}`}>
      <label class="field__label" for={id}>
        {spec.label}
      </label>
      <div class="field__control">
        <input
          id={id}
          name={spec.name}
          type="text"
          inputMode="decimal"
          autoComplete="off"
          spellcheck={false}
          placeholder={`e.g. ${spec.example.toFixed(spec.decimals)}`}
          value={value}
          aria-invalid={invalid ? 'true' : undefined}
          aria-describedby={problems.length > 0 ? `${errorId} ${hintId}` : hintId}
          onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)}
        />
        <span class="field__unit" aria-hidden="true">
          {spec.unit}
        </span>
      </div>
      <p class="field__hint" id={hintId}>
        {spec.min} to {(max ?? spec.max).toLocaleString('en-US')} {spec.unit}
        {max !== undefined && max < spec.max && " (the current model's limit)"}
      </p>
      {problems.length > 0 && (
        <p class="field__error" id={errorId}>
          {problems.map((p) => p.message).join(' ')}
        </p>
      )}
      {problems
        .map((p) => suggestedValue(p))
        .filter((v): v is string => v !== undefined)
        .slice(0, 1)
        .map((v) => (
          <button key={v} type="button" class="button button--quiet field__fix" onClick={() => onInput(v)}>
            Use {v} {spec.unit}
          </button>
        ))}
    </div>
  );
}
