// The e2e bench's model side, in a process of its own so the readers' load does not delay it:
// the test LLM plus a TCP tap in front of it. The tap stamps the moment each text delta leaves
// the test LLM on the wire (every delta carries a unique marker `~<phase>.<run>.<seq>~`), so the
// bench can measure what each event costs from the model's write to the reader's receipt.
// Started by e2e.bench.ts with an IPC channel: it sends `{ready, tapUrl}` and answers
// `{type: 'stamps', phase}` with the stamps of that phase.
import { createConnection, createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { replies, startTestLlm } from '@cody/test-llm';

const MARKER = /~([a-z]+)\.(\d+)\.(\d+)~/g;
const now = () => performance.timeOrigin + performance.now();

/** marker → epoch ms (fractional) when its bytes passed the tap towards the client. */
const stamps = new Map<string, number>();

const llm = await startTestLlm({
  keepRequests: 0,
  rules: [
    {
      // prompt: "bench <phase> <run> <deltas> <delayMs>"
      match: { lastUserText: /^bench / },
      reply: (request) => {
        const [, phase, run, deltas, delayMs] = request.lastUserText.split(' ');
        const text = Array.from({ length: Number(deltas) }, (_, seq) => `~${phase}.${run}.${seq}~ `);
        return replies.text(text, { delayMs: Number(delayMs) });
      },
    },
  ],
});

const tap = createServer((client: Socket) => {
  const upstream = createConnection({ host: '127.0.0.1', port: llm.port });
  let carry = '';
  upstream.on('data', (chunk: Buffer) => {
    const at = now();
    client.write(chunk);
    // markers are ASCII; a marker cut between two chunks is completed by the carry
    const text = carry + chunk.toString('latin1');
    for (const match of text.matchAll(MARKER)) {
      // the first sighting is the delta; the closing events repeat the whole text later
      if (!stamps.has(match[0])) stamps.set(match[0], at);
    }
    carry = text.slice(-40);
  });
  client.on('data', (chunk: Buffer) => upstream.write(chunk));
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('close', close);
  upstream.on('close', close);
  client.on('error', close);
  upstream.on('error', close);
});
await new Promise<void>((resolve) => tap.listen(0, '127.0.0.1', resolve));
const { port } = tap.address() as { port: number };

process.on('message', (message: { type: string; phase?: string }) => {
  if (message.type === 'stamps') {
    const prefix = `~${message.phase}.`;
    const out: [string, number][] = [];
    for (const [marker, at] of stamps) if (marker.startsWith(prefix)) out.push([marker, at]);
    for (const [marker] of out) stamps.delete(marker);
    process.send?.({ type: 'stamps', phase: message.phase, stamps: out });
  } else if (message.type === 'stop') {
    tap.close();
    void llm.close().finally(() => process.exit(0));
  }
});
process.send?.({ type: 'ready', tapUrl: `http://127.0.0.1:${port}` });
