// Requests sent exactly as written: the path is not normalised (fetch would resolve `/./`,
// `..` and lower-case nothing, but it does rewrite), the Host header is whatever the test says.
import { type IncomingHttpHeaders, request } from 'node:http';
import { connect } from 'node:net';

export interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: { error?: { code: string; message: string; details?: unknown } } & Record<string, unknown>;
}

export interface RawRequest {
  method?: string;
  /** Sent byte for byte as the request target. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** false: send no Host header at all. */
  setHost?: boolean;
}

export function rawRequest(baseUrl: string, options: RawRequest): Promise<RawReply> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method: options.method ?? 'GET',
        path: options.path,
        // an explicit length: Node sends DELETE bodies without one, which would read as a second request
        headers:
          options.body === undefined
            ? (options.headers ?? {})
            : { 'content-length': String(Buffer.byteLength(options.body)), ...options.headers },
        setHost: options.setHost ?? true,
        insecureHTTPParser: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: RawReply['json'];
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined as never;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Writes bytes on a TCP connection and reads until the server closes it. */
export function rawSocket(baseUrl: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let text = '';
    socket.on('data', (data) => {
      text += data.toString('utf8');
    });
    socket.on('close', () => resolve(text));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // the server may reset after answering a request it refused
      if (error.code === 'ECONNRESET' && text) resolve(text);
      else reject(error);
    });
  });
}
