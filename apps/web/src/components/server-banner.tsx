import type { ServerStatus } from '../hooks/use-server-status';
import type { ModelChoice } from '../lib/model-choice';

export interface ServerBannerProps {
  status: ServerStatus;
  choice: ModelChoice | undefined;
  onRetry: () => void;
  onOpenSettings: () => void;
}

/** Says plainly when the server is unreachable, wants a token, or has no provider to talk to. */
export function ServerBanner({ status, choice, onRetry, onOpenSettings }: ServerBannerProps) {
  if (status.phase === 'error') {
    const { error } = status;
    if (error.isUnauthorized) {
      return (
        <div className="server-banner" role="alert">
          <p>
            <strong>This server needs an API token.</strong> {error.message}
          </p>
          <button type="button" onClick={onOpenSettings}>
            Open settings
          </button>
        </div>
      );
    }
    return (
      <div className="server-banner" role="alert" data-error-code={error.code}>
        <p>
          <strong>
            {error.isUnreachable ? 'Cannot reach the Cody server.' : 'The server reported a problem.'}
          </strong>{' '}
          {error.isUnreachable
            ? 'Check that it is running (in development the API is expected at CODY_API_URL, by default http://127.0.0.1:4010).'
            : `${error.code}: ${error.message}`}
        </p>
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      </div>
    );
  }
  if (status.phase === 'ready' && status.config && choice && choice.configured.length === 0) {
    return (
      <div className="server-banner" role="alert" data-error-code="CONFIGURATION_ERROR">
        <p>
          <strong>No provider is configured on the server.</strong> Set <code>OPENAI_API_KEY</code> or{' '}
          <code>ANTHROPIC_API_KEY</code> in the server's environment (or its <code>.env</code>) and restart
          it. To try Cody without keys, stop it and run <code>npm run demo</code>: both providers then answer
          from the bundled test LLM.
        </p>
        <button type="button" onClick={onRetry}>
          Check again
        </button>
      </div>
    );
  }
  return null;
}
