import { memo } from 'react';
import { describeError, errorUrl } from '../lib/describe-error';
import { formatJson } from '../lib/format-json';

export interface ErrorBannerProps {
  code: string;
  message: string;
  details?: unknown;
  /** Announce it (errors that happen now, not ones loaded from history). */
  live?: boolean;
}

/** An error as a sentence, with the server's message, its stable code, the URL tried, and details. */
export const ErrorBanner = memo(function ErrorBanner({
  code,
  message,
  details,
  live = false,
}: ErrorBannerProps) {
  const url = errorUrl(details);
  return (
    <div className="error-banner" role={live ? 'alert' : undefined} data-error-code={code}>
      <p>
        <strong className="error-sentence">{describeError(code)}</strong> {message}{' '}
        <code className="error-code">{code}</code>
      </p>
      {url ? (
        <p className="error-url">
          Tried: <code>{url}</code>
        </p>
      ) : null}
      {details === undefined ? null : (
        <details>
          <summary>Details</summary>
          <pre>{typeof details === 'string' ? details : formatJson(JSON.stringify(details))}</pre>
        </details>
      )}
    </div>
  );
});
