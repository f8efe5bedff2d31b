import { isIP } from 'node:net';

/**
 * Whether a host name or address can only be reached from this machine: `localhost` and its
 * subdomains (browsers resolve them to loopback themselves), 127.0.0.0/8 and ::1.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return name === '::1' || /^::ffff:127\./.test(name) || name === '0:0:0:0:0:0:0:1';
  return false;
}
