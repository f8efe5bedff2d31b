/** Longest error message sent; a request cannot make the server echo more of itself than this. */
export const MAX_ERROR_MESSAGE = 1024;
/** Most validation issues listed in `details`; the message says how many were left out. */
export const MAX_ERROR_ISSUES = 20;
const MAX_DETAILS_JSON = 8192;

interface Info {
  code: string;
  message: string;
  details?: unknown;
}

const cut = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;

/**
 * Bounds an error body whatever the request was: messages and the listed issues are cut, so a
 * big bad request (thousands of unknown keys, a huge value) gets a small answer.
 */
export function capErrorInfo(info: Info): Info {
  const capped: Info = { code: info.code, message: cut(info.message, MAX_ERROR_MESSAGE) };
  if (info.details === undefined) return capped;
  const issues = (info.details as { issues?: unknown }).issues;
  if (Array.isArray(issues)) {
    const kept = issues.slice(0, MAX_ERROR_ISSUES).map((issue) => {
      const { path, message } = issue as { path?: unknown; message?: unknown };
      return { path: cut(String(path ?? ''), 200), message: cut(String(message ?? ''), 300) };
    });
    capped.details =
      issues.length > kept.length
        ? { issues: kept, omittedIssues: issues.length - kept.length }
        : { issues: kept };
    return capped;
  }
  try {
    if (JSON.stringify(info.details).length <= MAX_DETAILS_JSON) capped.details = info.details;
  } catch {
    // details that do not serialise are left out
  }
  return capped;
}
