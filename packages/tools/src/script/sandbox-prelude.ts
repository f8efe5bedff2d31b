/**
 * Runs first in every script context: `console` and the `tools` bridge, built in the guest so the
 * host sees only two plain functions (`__cody_log(level, text)` and `__cody_call(name, argsJson)`).
 */
export function sandboxPrelude(toolNames: readonly string[]): string {
  return `(() => {
  const log = globalThis.__cody_log;
  const call = globalThis.__cody_call;
  delete globalThis.__cody_log;
  delete globalThis.__cody_call;
  const format = (value) => {
    if (typeof value === 'string') return value;
    if (value instanceof Error) return value.stack ? value.name + ': ' + value.message + '\\n' + value.stack : String(value);
    try {
      const json = JSON.stringify(value);
      return json === undefined ? String(value) : json;
    } catch {
      return String(value);
    }
  };
  const emit = (level) => (...args) => log(level, args.map(format).join(' '));
  globalThis.console = Object.freeze({ log: emit('log'), info: emit('info'), debug: emit('debug'), warn: emit('warn'), error: emit('error') });
  const tools = {};
  for (const name of ${JSON.stringify(toolNames)}) {
    tools[name] = async (args) => {
      const answer = JSON.parse(await call(name, JSON.stringify(args === undefined ? {} : args)));
      if (answer.success) return answer.output;
      const error = new Error(answer.output);
      error.name = 'ToolError';
      error.code = answer.code;
      error.tool = name;
      throw error;
    };
  }
  globalThis.tools = Object.freeze(tools);
})();`;
}
