import { networkInterfaces } from 'node:os';
import { isLoopbackHost } from './is-loopback-host';

const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '[::]', '']);

/** The host name a `Host` header names, lower case, without port, brackets or trailing dot. */
export function hostNameOf(hostHeader: string | undefined): string | undefined {
  if (!hostHeader || !URL.canParse(`http://${hostHeader}`)) return undefined;
  const url = new URL(`http://${hostHeader}`);
  // anything but a plain host[:port] (a path, credentials, a spelling URL rewrites such as
  // 2130706433 for 127.0.0.1) is refused rather than guessed at
  if (url.username || url.password || url.host !== hostHeader.toLowerCase().replace(/:80$/, '')) {
    return undefined;
  }
  return url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

/**
 * Which host names this server answers for: the loopback names, the bind address, and the
 * names listed in `CODY_ALLOWED_HOSTS`. Bound to a wildcard address, also this machine's own
 * interface addresses: an IP literal in `Host` cannot come from DNS rebinding, a name can.
 */
export function hostAllowlist(bindHost: string, extra: readonly string[]): (name: string) => boolean {
  const names = new Set(extra.map((host) => host.toLowerCase().replace(/^\[(.*)\]$/, '$1')));
  const bind = bindHost.trim().toLowerCase();
  if (WILDCARD_BINDS.has(bind)) {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) names.add(address.address.toLowerCase().replace(/%.*$/, ''));
    }
  } else {
    names.add(bind.replace(/^\[(.*)\]$/, '$1'));
  }
  return (name) => isLoopbackHost(name) || names.has(name);
}
