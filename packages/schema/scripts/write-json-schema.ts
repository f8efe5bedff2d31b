// Writes the JSON Schema of the public shapes into dist/ at build time, for consumers that
// do not use TypeScript or zod.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { OutputItemSchema, ResponseSchema, StreamEventSchema, ThreadSchema } from '../src/index';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'json-schema');
mkdirSync(outDir, { recursive: true });

const schemas = {
  'stream-event': StreamEventSchema,
  response: ResponseSchema,
  'output-item': OutputItemSchema,
  thread: ThreadSchema,
};
for (const [name, schema] of Object.entries(schemas)) {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any' });
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify({ ...json, title: name }, null, 2)}\n`);
}
console.log(`json-schema: wrote ${Object.keys(schemas).length} files to ${outDir}`);
