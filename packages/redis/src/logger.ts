/** The pino-compatible subset Cody logs through; pass a pino logger or anything alike. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const ignore = () => {};

/** Drops everything: the default when no logger is given. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
