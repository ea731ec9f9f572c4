import type { AppErrorDto } from "../lib/backend";

/** A failed action: our framing in the user's language, then the backend's own message. */
export function ErrorNote({
  title,
  error,
  onDismiss,
  dismissLabel,
}: {
  title: string;
  error: AppErrorDto | string;
  onDismiss?: () => void;
  dismissLabel?: string;
}) {
  const message = typeof error === "string" ? error : error.message;
  return (
    <div className="note note-error note-row" role="alert">
      <p>
        <strong>{title}</strong> {message}
      </p>
      {onDismiss && (
        <button type="button" className="button-quiet" onClick={onDismiss}>
          {dismissLabel}
        </button>
      )}
    </div>
  );
}
