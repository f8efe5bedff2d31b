import { z } from 'zod';
import { TOOLS } from './tool-registry';

/** What a provider adapter declares to the model for one tool. */
export interface ToolDeclaration {
  name: string;
  description: string;
  /** JSON Schema of the arguments: generated from the schema executeTool validates with. */
  parameters: Record<string, unknown>;
}

/** The JSON Schema a tool's input schema declares: `z.toJSONSchema` (input side), without `$schema`. */
export function toolParameters(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...parameters } = z.toJSONSchema(schema, { io: 'input' });
  return parameters;
}

let cached: ToolDeclaration[] | undefined;

/** The tools as the model is told about them, optionally only the named ones. */
export function toolDeclarations(names?: readonly string[]): ToolDeclaration[] {
  cached ??= TOOLS.map((tool) => ({
    name: tool.name,
    description: tool.description,
    parameters: toolParameters(tool.inputSchema),
  }));
  const all = cached;
  const chosen = names ? all.filter((declaration) => names.includes(declaration.name)) : all;
  // copies, so a caller mutating a declaration cannot change what others are sent
  return structuredClone(chosen);
}
