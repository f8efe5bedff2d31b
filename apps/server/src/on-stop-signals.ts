/**
 * Calls `stop` on the first SIGINT/SIGTERM and `force` on a later one. One Ctrl-C can reach a
 * process more than once (the terminal signals the whole foreground group and a launcher such as
 * `npm start` forwards it too), so repeats within `sameSignalMs` of the first count as that one.
 */
export function onStopSignals(handlers: {
  stop(signal: NodeJS.Signals): void;
  force?(signal: NodeJS.Signals): void;
  sameSignalMs?: number;
}): void {
  let first: number | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (first === undefined) {
        first = Date.now();
        handlers.stop(signal);
      } else if (Date.now() - first >= (handlers.sameSignalMs ?? 1000)) {
        handlers.force?.(signal);
      }
    });
  }
}
