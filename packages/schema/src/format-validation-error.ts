import type { z } from 'zod';

/** Names the first failing field of a zod error: `payload.item_id: Required`. */
export function formatValidationError(error: z.ZodError, prefix = ''): string {
  return error.issues.map((issue) => formatIssue(issue, prefix)).join('; ');
}

function formatIssue(issue: z.core.$ZodIssue, prefix: string): string {
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
  const message = missing ? 'Required' : issue.message;
  return path ? `${path}: ${message}` : message;
}
