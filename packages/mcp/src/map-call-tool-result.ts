import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** What a tool call gives the model: `function_call_output`'s text and success. */
export interface McpCallOutput {
  success: boolean;
  output: string;
}

/**
 * An MCP `CallToolResult` → the model's output. Text parts are joined with newlines; images,
 * audio and binary resources become one line naming their MIME type and size; a text resource
 * keeps its text under a line naming it. `isError: true` is a failure with the server's text.
 */
export function mapCallToolResult(result: CallToolResult): McpCallOutput {
  const parts: string[] = [];
  for (const block of result.content ?? []) {
    switch (block.type) {
      case 'text':
        parts.push(block.text);
        break;
      case 'image':
      case 'audio':
        parts.push(`[${block.type}: ${block.mimeType}, ${base64Bytes(block.data)} bytes]`);
        break;
      case 'resource_link':
        parts.push(`[resource link: ${block.uri}${block.mimeType ? ` (${block.mimeType})` : ''}]`);
        break;
      case 'resource': {
        const { resource } = block;
        const mime = resource.mimeType ?? 'unknown type';
        if ('text' in resource && typeof resource.text === 'string')
          parts.push(`[resource: ${resource.uri} (${mime})]\n${resource.text}`);
        else
          parts.push(
            `[resource: ${resource.uri} (${mime}), ${base64Bytes(String((resource as { blob?: string }).blob ?? ''))} bytes]`,
          );
        break;
      }
      default:
        parts.push(`[${(block as { type: string }).type} content]`);
    }
  }
  if (parts.length === 0 && result.structuredContent !== undefined)
    parts.push(JSON.stringify(result.structuredContent));
  return { success: result.isError !== true, output: parts.join('\n') };
}

function base64Bytes(data: string): number {
  const clean = data.replace(/=+$/, '');
  return Math.floor((clean.length * 3) / 4);
}
