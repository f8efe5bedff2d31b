import { parse } from 'acorn';

/**
 * For a script run as an async function body: turns a final expression statement into a
 * `return`, so `const x = await f(); x` yields x as a plain script would. Code acorn cannot
 * parse is returned unchanged (QuickJS then reports the syntax error).
 */
export function returnLastExpression(code: string): string {
  let program: ReturnType<typeof parse>;
  try {
    program = parse(code, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowAwaitOutsideFunction: true,
      allowReturnOutsideFunction: true,
    });
  } catch {
    return code;
  }
  const last = program.body.at(-1);
  if (last?.type !== 'ExpressionStatement') return code;
  const expression = code.slice(last.expression.start, last.expression.end);
  // same line count, so stack traces keep pointing at the right lines
  return `${code.slice(0, last.start)}return (${expression});${code.slice(last.end)}`;
}
