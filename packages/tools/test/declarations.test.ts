import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  EditFileInputSchema,
  ExecInputSchema,
  GrepInputSchema,
  ListDirInputSchema,
  ReadFileInputSchema,
  RunScriptInputSchema,
  TOOLS,
  toolDeclarations,
  WriteFileInputSchema,
} from '../src/index';

// the schema each tool validates its arguments with, named independently of the registry
const validationSchemas: Record<string, z.ZodType> = {
  readFile: ReadFileInputSchema,
  listDir: ListDirInputSchema,
  writeFile: WriteFileInputSchema,
  editFile: EditFileInputSchema,
  exec: ExecInputSchema,
  grep: GrepInputSchema,
  runScript: RunScriptInputSchema,
};

describe('toolDeclarations', () => {
  it('declares every tool, runScript included, each once', () => {
    const names = toolDeclarations().map((declaration) => declaration.name);
    expect(names).toEqual(['readFile', 'listDir', 'writeFile', 'editFile', 'exec', 'grep', 'runScript']);
  });

  it('declares exactly the JSON Schema of the schema the tool validates with', () => {
    for (const declaration of toolDeclarations()) {
      const schema = validationSchemas[declaration.name] as z.ZodType;
      const { $schema: _dialect, ...expected } = z.toJSONSchema(schema, { io: 'input' });
      expect(declaration.parameters, declaration.name).toEqual(expected);
      // and the registry's tool validates with that very schema object
      expect(TOOLS.find((tool) => tool.name === declaration.name)?.inputSchema).toBe(schema);
    }
  });

  it('gives providers an object schema with described, closed properties', () => {
    for (const { name, description, parameters } of toolDeclarations()) {
      expect(description.length, name).toBeGreaterThan(40);
      expect(parameters.type, name).toBe('object');
      expect(parameters.additionalProperties, name).toBe(false);
      for (const [field, property] of Object.entries(
        parameters.properties as Record<string, { description?: string }>,
      )) {
        expect(property.description, `${name}.${field}`).toBeTruthy();
      }
    }
  });

  it('readFile declares path (not filePath) as its required field', () => {
    const readFile = toolDeclarations(['readFile'])[0];
    expect(readFile?.parameters.required).toEqual(['path']);
    expect(Object.keys(readFile?.parameters.properties as object)).toContain('path');
  });

  it('returns copies a caller cannot corrupt', () => {
    const first = toolDeclarations();
    (first[0] as { description: string }).description = 'changed';
    expect(toolDeclarations()[0]?.description).not.toBe('changed');
  });
});
