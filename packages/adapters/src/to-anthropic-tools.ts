import type { Tool } from '@anthropic-ai/sdk/resources/messages/messages';
import type { ToolDeclaration } from './tool-declaration';

/** Generic declarations → Messages tools (`input_schema` must be an object schema). */
export function toAnthropicTools(tools: readonly ToolDeclaration[]): Tool[] {
  return tools.map((tool) => ({
    name: tool.name,
    ...(tool.description ? { description: tool.description } : {}),
    input_schema: { ...tool.parameters, type: 'object' } as Tool['input_schema'],
  }));
}
