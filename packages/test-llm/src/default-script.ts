import type { RecordedRequest, ToolResultEntry } from './recorded-request';
import type { Reply, ScriptedPart } from './reply';
import type { DeclaredTool } from './transcript';

type Intent = { kind: 'read' | 'list' | 'exec'; value: string };

const TOOL_NAMES: Record<Intent['kind'], string[]> = {
  read: ['readfile', 'read', 'cat'],
  list: ['listdir', 'listdirectory', 'ls', 'list'],
  exec: ['exec', 'execcommand', 'runcommand', 'shell', 'bash', 'run'],
};

const normalise = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
const quoted = (text: string) => /[`"'“‘]([^`"'”’\n]+)[`"'”’]/.exec(text)?.[1];
const pathLike = (text: string) =>
  /(?:^|\s)((?:\.{0,2}\/)?[\w@.-]+(?:\/[\w@.-]+)*\.[\w-]+|(?:\.{0,2}\/)?[\w@.-]+\/[\w@./-]*)/.exec(text)?.[1];

/** What the prompt asks for, in plain words: read a file, list a directory or run a command. */
function readIntent(prompt: string): Intent | undefined {
  const text = prompt.trim();
  if (/\b(run|exec|execute)\b/i.test(text)) {
    const command =
      quoted(text) ??
      /\b(?:run|exec|execute)\b(?:\s+the)?(?:\s+command)?[:\s]+(.+)$/i.exec(text)?.[1]?.trim();
    if (command) return { kind: 'exec', value: command.replace(/[.?!]$/, '') };
  }
  if (/\b(list|ls)\b/i.test(text)) {
    const target = quoted(text) ?? pathLike(text) ?? /\b(?:in|of)\s+(?:the\s+)?([\w@./-]+)/i.exec(text)?.[1];
    const dir = target && !/^(directory|folder|dir|files?|current|this)$/i.test(target) ? target : '.';
    return { kind: 'list', value: dir };
  }
  if (/\b(read|show|cat|open|print|display)\b/i.test(text)) {
    const path = quoted(text) ?? pathLike(text);
    if (path) return { kind: 'read', value: path };
  }
  return undefined;
}

/** The declared tool serving an intent, and the argument name it takes. */
function findTool(
  tools: readonly DeclaredTool[],
  intent: Intent,
): { name: string; argument: string } | undefined {
  const tool = tools.find((candidate) => TOOL_NAMES[intent.kind].includes(normalise(candidate.name)));
  if (!tool) return undefined;
  const properties = Object.keys((tool.parameters?.properties as Record<string, unknown> | undefined) ?? {});
  const required = (tool.parameters?.required as string[] | undefined) ?? [];
  const schemas = (tool.parameters?.properties as Record<string, { type?: unknown }> | undefined) ?? {};
  // the command line goes to a string parameter: `shell` when the tool has one (an argv array won't do)
  const stringTyped = (name: string) => properties.includes(name) && schemas[name]?.type === 'string';
  const preferred =
    intent.kind === 'exec' ? (['shell', 'command', 'cmd'].find(stringTyped) ?? 'command') : 'path';
  const argument = properties.includes(preferred) ? preferred : (required[0] ?? properties[0] ?? preferred);
  return { name: tool.name, argument };
}

const CAP = 4000;

function describeResult(result: ToolResultEntry, name: string | undefined): string {
  const output =
    result.output.length > CAP
      ? `${result.output.slice(0, CAP)}\n… (${result.output.length - CAP} more characters)`
      : result.output;
  const label = name ? `\`${name}\`` : 'the tool';
  if (result.isError) return `${label} failed:\n\n\`\`\`\n${output}\n\`\`\``;
  return `Here is what ${label} returned:\n\n\`\`\`\n${output}\n\`\`\``;
}

/**
 * The reply used when no rule matches: no key needed to try the app. It reasons, then
 * echoes the prompt; a prompt that asks to read a file, list a directory or run a command
 * gets the matching declared tool called, and the next call answers with the tool output.
 */
export function defaultScript(request: RecordedRequest): Reply {
  const reasoning = (text: string): ScriptedPart => ({ type: 'reasoning', text });
  const prompt = request.lastUserText.trim();
  if (request.stepToolResults.length > 0) {
    const names = new Map(
      request.transcript.flatMap((entry) =>
        entry.kind === 'tool_call' ? [[entry.callId, entry.name] as const] : [],
      ),
    );
    const text = request.stepToolResults
      .map((result) => describeResult(result, names.get(result.callId)))
      .join('\n\n');
    return {
      kind: 'turn',
      parts: [
        reasoning('The tool finished. I will show its output to the user as it is.'),
        { type: 'text', text },
      ],
    };
  }
  const intent = readIntent(prompt);
  const tool = intent && findTool(request.tools, intent);
  if (intent && tool) {
    return {
      kind: 'turn',
      parts: [
        reasoning(
          `The user asked: "${prompt}". The ${tool.name} tool can do that, so I will call it with ${tool.argument} = ${intent.value}.`,
        ),
        { type: 'tool_call', name: tool.name, arguments: { [tool.argument]: intent.value } },
      ],
    };
  }
  const hint = request.tools.length
    ? `Ask me to read a file ("read package.json"), list a directory ("list the files in src") or run a command ("run \`ls -la\`") and I will call the ${request.tools.map((t) => t.name).join(', ')} tools.`
    : 'No tools were declared in this request, so I can only answer with text.';
  return {
    kind: 'turn',
    parts: [
      reasoning(
        `The user wrote "${prompt}". No tool is needed; I will echo it and explain what this test model can do.`,
      ),
      {
        type: 'text',
        text: `You said: "${prompt}"\n\nThis answer comes from the Cody test LLM, a local stand-in for a real model (no API key needed). ${hint}`,
      },
    ],
  };
}
