import { useEffect, useState } from 'react';
import type { ApiClient } from '../lib/api-client';
import { type Conversation, createConversation } from '../lib/conversation';

interface Holder {
  api: ApiClient;
  /** The routed thread this conversation stands for (undefined: the new-conversation view). */
  routeId: string | undefined;
  value: Conversation;
}

/**
 * The conversation of the routed thread. A new conversation whose first submit created a thread
 * keeps going while the URL catches up (and after), so its live run is not restarted.
 */
export function useConversation(api: ApiClient, threadId: string | undefined): Conversation {
  const [holder, setHolder] = useState<Holder>(() => ({
    api,
    routeId: threadId,
    value: createConversation(api, threadId),
  }));
  let current = holder;
  if (current.api !== api || current.routeId !== threadId) {
    current =
      current.api === api && current.value.threadId === threadId
        ? { ...current, routeId: threadId }
        : { api, routeId: threadId, value: createConversation(api, threadId) };
    setHolder(current);
  }
  const value = current.value;
  useEffect(() => {
    value.activate();
    return () => value.deactivate();
  }, [value]);
  return value;
}
