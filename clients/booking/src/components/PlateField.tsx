import { useId, useState } from 'react';
import { checkPlate } from '../domain/plate.js';

/** The plate input with live SIV/FNI validation, its message tied to the field for assistive tech. */
export function PlateField({
  value,
  onChange,
  error,
  id,
}: {
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  id?: string;
}) {
  const generated = useId();
  const inputId = id ?? `plate-${generated}`;
  const [touched, setTouched] = useState(false);
  const check = checkPlate(value, touched);
  const message =
    error ??
    (check.status === 'invalid' || (touched && check.status === 'incomplete') ? check.message : undefined);
  const hintId = `${inputId}-hint`;
  const messageId = `${inputId}-message`;
  return (
    <div className="field">
      <label htmlFor={inputId}>Immatriculation</label>
      <p id={hintId} className="hint">
        Exemple : AB-123-CD, ou 123-ABC-75 pour une ancienne plaque.
      </p>
      <input
        id={inputId}
        name="plate"
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        value={value}
        aria-invalid={message !== undefined}
        aria-describedby={`${hintId} ${messageId}`}
        onChange={(event) => onChange(event.target.value)}
        onBlur={() => setTouched(true)}
      />
      <p id={messageId} className={message ? 'field-error' : 'field-ok'} aria-live="polite">
        {message ?? (check.status === 'valid' ? `Plaque ${check.kind} reconnue : ${check.normalised}` : '')}
      </p>
    </div>
  );
}
