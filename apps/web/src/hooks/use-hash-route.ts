import { useCallback, useSyncExternalStore } from 'react';
import { formatHashRoute, type HashRoute, parseHashRoute } from '../lib/hash-route';

const subscribe = (listener: () => void) => {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
};
const getHash = () => window.location.hash;

/** The route kept in the URL hash (`#/threads/<id>`), so a reload reopens the same thread. */
export function useHashRoute(): [HashRoute, (route: HashRoute, options?: { replace?: boolean }) => void] {
  const hash = useSyncExternalStore(subscribe, getHash, () => '');
  const navigate = useCallback((route: HashRoute, options: { replace?: boolean } = {}) => {
    const next = formatHashRoute(route);
    if (next === window.location.hash) return;
    if (options.replace) {
      window.history.replaceState(null, '', next);
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } else {
      window.location.hash = next;
    }
  }, []);
  return [parseHashRoute(hash), navigate];
}
