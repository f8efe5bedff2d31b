import { memo } from 'react';
import { formatJson } from '../lib/format-json';

export interface ErrorBannerProps {
  code: string;
  message: string;
  details?: unknown;
  /** Announce it (errors that happen now, not ones loaded from history). */
  live?: boolean;
}

/** An error with its stable code, the message and optional details. */
export const ErrorBanner = memo(function ErrorBanner({
  code,
  message,
  details,
  live = false,
}: ErrorBannerProps) {
  return (
    <div className="error-banner" role={live ? 'alert' : undefined} data-error-code={code}>
      <p>
        <strong className="error-code">{code}</strong> {message}
      </p>
      {details === undefined ? null : (
        <details>
          <summary>Details</summary>
          <pre>{typeof details === 'string' ? details : formatJson(JSON.stringify(details))}</pre>
        </details>
      )}
    </div>
  );
});
