import type { FunctionTool } from 'openai/resources/responses/responses';
import type { ToolDeclaration } from './tool-declaration';

/** Generic declarations → Responses function tools (non-strict: schemas stay as the tools wrote them). */
export function toOpenAITools(tools: readonly ToolDeclaration[]): FunctionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    name: tool.name,
    description: tool.description ?? null,
    parameters: { type: 'object', ...tool.parameters },
    strict: false,
  }));
}
