import { z } from 'zod';
import { defineTool } from '../define-tool';
import { runScript } from '../script/run-script';
import type { ScriptResult } from '../script/script-result';
import type { ToolResult } from '../tool-result';

export const RunScriptInputSchema = z.strictObject({
  code: z.string().min(1).describe('The script. Its value is its last expression, or what it returns.'),
  language: z
    .enum(['javascript', 'typescript'])
    .optional()
    .describe('"javascript" (default) or "typescript" (types are stripped before running).'),
});
export type RunScriptToolInput = z.infer<typeof RunScriptInputSchema>;

export const runScriptTool = defineTool({
  name: 'runScript',
  description:
    'Run a JavaScript or TypeScript script in a sandbox (QuickJS: no Node APIs, no network, no timers). It reaches the workspace only through the other tools, as async functions on `tools`: `const text = await tools.readFile({ path: "a.txt" })` resolves to the tool\'s output text, and a failing tool throws an Error with `code`. Top-level await and `return` are allowed; the result is the returned value, or the value of the last expression statement, sent back as JSON. console.log output is captured. Time and memory are limited. Use it to combine several tool calls and compute over their results in one step.',
  inputSchema: RunScriptInputSchema,
  ownTimeoutMs: (_input, limits) => limits.scriptTimeoutMs,
  async execute(input, context): Promise<ToolResult> {
    const script = await runScript(input, context);
    return script.success
      ? { success: true, output: withLogs(script.result, script), script }
      : {
          success: false,
          output: withLogs(
            `Script failed (${script.error?.code}): ${script.error?.message}${script.error?.stack ? `\n${script.error.stack}` : ''}`,
            script,
          ),
          error: { code: script.error?.code ?? 'SCRIPT_ERROR', message: script.error?.message ?? '' },
          script,
        };
  },
});

function withLogs(text: string, script: ScriptResult): string {
  return script.logs.length > 0 ? `${text}\n[console]\n${script.logs.join('\n')}` : text;
}
