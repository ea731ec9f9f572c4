import { useId } from "react";
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from "react";

interface Described {
  label: string;
  hint?: string | null;
  error?: string | null;
}

function useDescribed(hint?: string | null, error?: string | null) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return { id, hintId, errorId, describedBy };
}

function Notes({
  hint,
  error,
  hintId,
  errorId,
}: Described & { hintId?: string; errorId?: string }) {
  if (!hint && !error) return null;
  return (
    <div className="notes">
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export function Field({
  label,
  hint,
  error,
  ...input
}: Described & InputHTMLAttributes<HTMLInputElement>) {
  const d = useDescribed(hint, error);
  return (
    <div className="field">
      <label htmlFor={d.id}>{label}</label>
      <input
        id={d.id}
        aria-describedby={d.describedBy}
        aria-invalid={error ? true : undefined}
        {...input}
      />
      <Notes label={label} hint={hint} error={error} hintId={d.hintId} errorId={d.errorId} />
    </div>
  );
}

/** A money field: free text (so "2,50" and "2.50" both work), a decimal keyboard on touch. */
export function AmountField(props: Described & InputHTMLAttributes<HTMLInputElement>) {
  return <Field inputMode="decimal" autoComplete="off" spellCheck={false} {...props} />;
}

export function SelectField({
  label,
  hint,
  error,
  children,
  ...select
}: Described & SelectHTMLAttributes<HTMLSelectElement> & { children: ReactNode }) {
  const d = useDescribed(hint, error);
  return (
    <div className="field">
      <label htmlFor={d.id}>{label}</label>
      <select id={d.id} aria-describedby={d.describedBy} {...select}>
        {children}
      </select>
      <Notes label={label} hint={hint} error={error} hintId={d.hintId} errorId={d.errorId} />
    </div>
  );
}
