import type { FunctionCallItem, FunctionCallOutputItem } from '@cody/schema';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ToolCallCard } from './tool-call-card';

const call = (name: string): FunctionCallItem => ({
  id: 'i1',
  type: 'function_call',
  origin: 'agent',
  call_id: 'call_1',
  name,
  arguments: '{"message":"hi"}',
});
const output: FunctionCallOutputItem = {
  id: 'i2',
  type: 'function_call_output',
  origin: 'tool_harness',
  call_id: 'call_1',
  output: 'Echo: hi',
  success: true,
};

const render = (name: string) =>
  renderToStaticMarkup(
    <ToolCallCard
      call={call(name)}
      output={output}
      callStatus="done"
      outputStatus="done"
      runDone
      runStopped={false}
    />,
  );

describe('ToolCallCard', () => {
  it('shows the MCP server a tool came from and the tool’s own name', () => {
    const html = render('mcp__everything__echo');
    expect(html).toContain('data-mcp-server="everything"');
    expect(html).toContain('>echo</h3>');
    expect(html).toContain('MCP · everything');
    expect(html).toContain('aria-label="Tool call mcp__everything__echo"');
  });

  it('a built-in tool has no server', () => {
    const html = render('readFile');
    expect(html).toContain('>readFile</h3>');
    expect(html).not.toContain('data-mcp-server');
    expect(html).not.toContain('MCP ·');
  });
});
