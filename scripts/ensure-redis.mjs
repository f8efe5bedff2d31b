// Finds a Redis for `npm start`: REDIS_URL if set, else 127.0.0.1:6379, else a local
// redis-server started with its data under .state/redis; otherwise explains how to get one.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

function ping(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1500, () => done(false));
    socket.on('error', () => done(false));
    // a password-protected Redis answers NOAUTH: it is there, the client will authenticate
    socket.on('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
    socket.on('connect', () => socket.write('PING\r\n'));
  });
}

export async function ensureRedis(root) {
  if (process.env.REDIS_URL) {
    if (await ping(process.env.REDIS_URL)) return process.env.REDIS_URL;
    console.error(`REDIS_URL=${process.env.REDIS_URL} does not answer. Start that Redis or unset REDIS_URL.`);
    process.exit(1);
  }
  const local = 'redis://127.0.0.1:6379';
  if (await ping(local)) return local;
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.error(
      'Cody needs Redis 7 and none answers on 127.0.0.1:6379.\n' +
        'Install it (Debian/Ubuntu: `sudo apt-get install redis-server`, macOS: `brew install redis`),\n' +
        'or point REDIS_URL at a running one, then run `npm start` again.',
    );
    process.exit(1);
  }
  const dir = join(root, '.state', 'redis');
  mkdirSync(dir, { recursive: true });
  console.log(`starting redis-server on 127.0.0.1:6379 (data in ${dir})`);
  spawnSync(
    'redis-server',
    [
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '--port',
      '6379',
      '--dir',
      dir,
      '--logfile',
      join(dir, 'redis.log'),
    ],
    {
      stdio: 'inherit',
    },
  );
  for (let i = 0; i < 50; i++) {
    if (await ping(local)) return local;
    await new Promise((r) => setTimeout(r, 100));
  }
  console.error(`redis-server did not answer; see ${join(dir, 'redis.log')}`);
  process.exit(1);
}
