/** Where the app is: a thread, or the empty composer of a new conversation. */
export type HashRoute = { view: 'thread'; threadId: string } | { view: 'new' };

/** Reads `#/threads/<id>`; anything else is the new-conversation view. */
export function parseHashRoute(hash: string): HashRoute {
  const match = /^#\/threads\/([^/?#]+)\/?$/.exec(hash);
  if (!match?.[1]) return { view: 'new' };
  try {
    return { view: 'thread', threadId: decodeURIComponent(match[1]) };
  } catch {
    return { view: 'new' };
  }
}

export function formatHashRoute(route: HashRoute): string {
  return route.view === 'thread' ? `#/threads/${encodeURIComponent(route.threadId)}` : '#/';
}
