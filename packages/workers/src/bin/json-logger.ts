import type { Logger } from '@cody/redis';
import type { LogLevel } from './load-worker-config';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** One JSON object per line on stdout, pino-style (`level`, `time`, `msg`, fields, `err`). */
export function jsonLogger(level: LogLevel, base: Record<string, unknown> = {}): Logger {
  const write = (at: LogLevel) => (obj: object, msg?: string) => {
    if (ORDER[at] < ORDER[level]) return;
    const record: Record<string, unknown> = { level: at, time: Date.now(), ...base };
    for (const [key, value] of Object.entries(obj))
      record[key] = value instanceof Error ? serializeError(value) : value;
    if (msg !== undefined) record.msg = msg;
    process.stdout.write(`${JSON.stringify(record)}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function serializeError(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: error.message,
    ...(code === undefined ? {} : { code }),
    stack: error.stack,
  };
}
