import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { defineTool } from '../define-tool';
import { ToolError } from '../errors/tool-error';
import { utf8Boundary } from '../output/utf8-boundary';
import { openInside } from '../workspace/open-inside';
import { resolveWorkspacePath } from '../workspace/resolve-workspace-path';

export const ReadFileInputSchema = z.strictObject({
  path: z.string().min(1).describe('File to read, relative to the workspace root.'),
  offset: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('How many lines (or bytes, with unit "bytes") to skip before reading. Default 0.'),
  limit: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      'The most lines (or bytes, with unit "bytes") to return. Default: the whole file up to a size cap.',
    ),
  unit: z.enum(['lines', 'bytes']).optional().describe('Unit of offset and limit. Default "lines".'),
  encoding: z
    .enum(['utf8', 'base64'])
    .optional()
    .describe(
      '"utf8" (default) returns text; "base64" returns the raw bytes base64-encoded (offset/limit in bytes).',
    ),
});
export type ReadFileInput = z.infer<typeof ReadFileInputSchema>;

export const readFileTool = defineTool({
  name: 'readFile',
  description:
    'Read a file in the workspace. Returns its content verbatim; a file over the size cap is cut and a note at the end says how to read on. Page through big files with offset/limit (in lines, or in bytes with unit "bytes").',
  inputSchema: ReadFileInputSchema,
  async execute(input, context) {
    const target = await resolveWorkspacePath(context.workspaceRoot, input.path);
    // O_NONBLOCK: opening a FIFO must not block a libuv thread (regular files ignore it)
    const handle = await openInside(target, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const stat = await handle.stat();
      if (stat.isDirectory()) {
        throw new ToolError('EISDIR', `EISDIR: ${target.relative} is a directory, not a file (use listDir)`);
      }
      // a FIFO or device would block a libuv thread forever
      if (!stat.isFile()) throw new ToolError('ENOTFILE', `${target.relative} is not a regular file`);
      const cap = context.limits.maxReadBytes;
      const unit = input.encoding === 'base64' ? 'bytes' : (input.unit ?? 'lines');
      if (unit === 'bytes') return await readBytes(handle, stat.size, input, cap);
      if (input.offset === undefined && input.limit === undefined && stat.size <= cap) {
        return await handle.readFile({ encoding: 'utf8', signal: context.signal });
      }
      return await readLines(handle, input.offset ?? 0, input.limit, cap, context.signal);
    } finally {
      await handle.close();
    }
  },
});

async function readBytes(
  handle: FileHandle,
  size: number,
  input: ReadFileInput,
  cap: number,
): Promise<string> {
  const start = input.offset ?? 0;
  const want = Math.min(input.limit ?? cap, cap, Math.max(0, size - start));
  {
    const buffer = Buffer.alloc(want);
    const { bytesRead } = await handle.read(buffer, 0, want, start);
    let bytes = buffer.subarray(0, bytesRead);
    if (input.encoding !== 'base64') bytes = bytes.subarray(0, utf8Boundary(bytes, bytes.length));
    const text = input.encoding === 'base64' ? bytes.toString('base64') : bytes.toString('utf8');
    const end = start + bytes.length;
    if (start >= size && size > 0) return `[offset ${start} is past the end: the file has ${size} bytes]`;
    const cutByCap = end < size && (input.limit === undefined || input.limit > cap);
    return cutByCap
      ? `${text}\n[truncated at ${bytes.length} bytes: the file has ${size} bytes; read on with offset=${end} unit="bytes"]`
      : text;
  }
}

// streams the file so a huge file costs at most `cap` bytes of memory
async function readLines(
  handle: FileHandle,
  offset: number,
  limit: number | undefined,
  cap: number,
  signal: AbortSignal,
): Promise<string> {
  const stream = handle.createReadStream({ highWaterMark: 64 * 1024, signal, autoClose: false, start: 0 });
  const parts: Buffer[] = [];
  let size = 0;
  let line = 0; // lines fully passed so far
  let taken = 0;
  let cut = false;
  let partial = false; // bytes after the last newline seen
  try {
    outer: for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      while (start < chunk.length) {
        const newline = chunk.indexOf(0x0a, start);
        const end = newline === -1 ? chunk.length : newline + 1;
        if (line >= offset) {
          const piece = chunk.subarray(start, end);
          if (size + piece.length > cap) {
            const room = utf8Boundary(piece, cap - size);
            parts.push(piece.subarray(0, room));
            size += room;
            cut = true;
            break outer;
          }
          parts.push(piece);
          size += piece.length;
        }
        partial = newline === -1;
        if (newline !== -1) {
          line++;
          if (line > offset) taken++;
          if (limit !== undefined && taken >= limit) break outer;
        }
        start = end;
      }
    }
  } finally {
    stream.destroy();
  }
  const text = Buffer.concat(parts).toString('utf8');
  if (cut) {
    return `${text}\n[truncated at ${cap} bytes in line ${line + 1}; read on with offset=${line} (lines) or with unit="bytes"]`;
  }
  const lines = line + (partial ? 1 : 0);
  if (lines <= offset && text === '' && !(offset === 0 && lines === 0)) {
    return `[offset ${offset} is past the end: the file has ${lines} lines]`;
  }
  return text;
}
