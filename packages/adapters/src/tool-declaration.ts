/** A tool as declared to a model: the tools package derives these from its zod schemas. */
export interface ToolDeclaration {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object (`type: 'object'`). */
  parameters: Record<string, unknown>;
}
