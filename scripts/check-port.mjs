// Whether HOST:PORT can be listened on, checked before the slow steps of `npm start` so a port
// in use is reported at once and in words, not as a stack trace minutes later.
import { createServer } from 'node:net';

/** Resolves with null when the port is free, else with the error code (EADDRINUSE, EACCES, …). */
export function probePort(port, host) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error) => resolve(error.code ?? 'ERROR'));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/** The sentence `npm start` prints when the server's port cannot be used; names the variable. */
export function portProblem(code, port, host) {
  const what =
    code === 'EADDRINUSE'
      ? `Port ${port} on ${host} is already in use (another Cody, or another program).`
      : `Cannot listen on ${host}:${port} (${code}).`;
  return `${what}\nSet PORT to a free port and start again, e.g. \`PORT=${port < 65000 ? port + 1 : 4010} npm start\` (or PORT=… in .env).`;
}
