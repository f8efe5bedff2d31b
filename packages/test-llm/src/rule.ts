import type { ProviderKind } from './provider-kind';
import type { RecordedRequest } from './recorded-request';
import type { Reply } from './reply';

/** Conditions on a request; all that are given must hold. */
export interface RequestMatcher {
  provider?: ProviderKind;
  model?: string | RegExp;
  /** Substring of (or pattern for) the last user message text. */
  lastUserText?: string | RegExp;
  /** A string looked for anywhere in the request body (a per-test marker in the prompt, say). */
  marker?: string;
  /** Whether the request carries tool results after its last user message (a follow-up step). */
  hasToolOutputs?: boolean;
  /** 1 = first model call of a turn, 2 = after the first batch of tool results, … */
  step?: number;
  where?: (request: RecordedRequest) => boolean;
}

export interface Rule {
  match?: RequestMatcher;
  reply: Reply | ((request: RecordedRequest) => Reply);
  /** Serve at most this many requests, then the rule is skipped. */
  times?: number;
}

// a request's body text, computed once however many rules look for markers in it
const bodyText = new WeakMap<RecordedRequest, string>();
function textOf(request: RecordedRequest): string {
  let text = bodyText.get(request);
  if (text === undefined) {
    text = JSON.stringify(request.body);
    bodyText.set(request, text);
  }
  return text;
}

const test = (pattern: string | RegExp, value: string) =>
  typeof pattern === 'string' ? value.includes(pattern) : pattern.test(value);

export function matchesRequest(matcher: RequestMatcher | undefined, request: RecordedRequest): boolean {
  if (!matcher) return true;
  if (matcher.provider !== undefined && matcher.provider !== request.provider) return false;
  if (matcher.model !== undefined) {
    if (request.model === undefined) return false;
    if (
      typeof matcher.model === 'string' ? matcher.model !== request.model : !matcher.model.test(request.model)
    ) {
      return false;
    }
  }
  if (matcher.lastUserText !== undefined && !test(matcher.lastUserText, request.lastUserText)) return false;
  if (matcher.marker !== undefined && !textOf(request).includes(matcher.marker)) return false;
  if (matcher.hasToolOutputs !== undefined && matcher.hasToolOutputs !== request.stepToolResults.length > 0) {
    return false;
  }
  if (matcher.step !== undefined && matcher.step !== request.step) return false;
  if (matcher.where && !matcher.where(request)) return false;
  return true;
}
