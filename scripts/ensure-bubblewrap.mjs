// Makes sure exec's sandbox (bubblewrap) is there for `npm start` / `npm run demo`: installs it with
// apt-get when run as root on Debian/Ubuntu, otherwise says how. Never stops start-up: without it
// the server still runs and every exec call answers SANDBOX_UNAVAILABLE.
import { spawnSync } from 'node:child_process';

const has = (command) => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;

export function ensureBubblewrap(env = process.env) {
  if (process.platform !== 'linux') {
    console.warn(
      `exec's sandbox (bubblewrap) needs Linux; on ${process.platform} exec calls will fail with SANDBOX_UNAVAILABLE.`,
    );
    return;
  }
  if (env.CODY_EXEC_SANDBOX?.trim().toLowerCase() === 'off') return;
  if (has('bwrap')) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && has('apt-get')) {
    console.log('> apt-get install bubblewrap (the sandbox exec runs commands in)');
    const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env: aptEnv });
    const install =
      update.status === 0 &&
      spawnSync('apt-get', ['install', '-y', '-qq', 'bubblewrap'], { stdio: 'inherit', env: aptEnv });
    if (install && install.status === 0 && has('bwrap')) return;
  }
  console.warn(
    'Cody runs the model’s commands inside bubblewrap, which is not installed.\n' +
      'Install it (Debian/Ubuntu: `sudo apt-get install bubblewrap`, Fedora: `sudo dnf install bubblewrap`)\n' +
      'and start again. Until then every exec call fails with SANDBOX_UNAVAILABLE\n' +
      '(CODY_EXEC_SANDBOX=off runs commands unconfined instead — only if you accept that).',
  );
}
