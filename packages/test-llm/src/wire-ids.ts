import { createHash, randomBytes } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function alphanumeric(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('');
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Ids shaped like the ones each provider mints. */
export const wireIds = {
  openaiResponse: () => `resp_${hex(24)}`,
  openaiMessage: () => `msg_${hex(24)}`,
  openaiReasoning: () => `rs_${hex(24)}`,
  openaiFunctionCall: () => `fc_${hex(24)}`,
  openaiCallId: () => `call_${alphanumeric(24)}`,
  anthropicMessage: () => `msg_01${alphanumeric(22)}`,
  anthropicToolUse: () => `toolu_01${alphanumeric(22)}`,
  requestId: () => `req_${alphanumeric(24)}`,
  obfuscation: () => alphanumeric(4 + ((randomBytes(1)[0] as number) % 12)),
  opaque: (bytes = 96) => randomBytes(bytes).toString('base64'),
};

const SIGNATURE_PREFIX = 'cody-test-llm:';

/** A thinking signature that binds the text, so tampered or swapped thinking is detected. */
export function signThinking(thinking: string): string {
  const digest = createHash('sha256').update(thinking).digest('hex');
  return Buffer.from(`${SIGNATURE_PREFIX}${digest}`).toString('base64');
}

/** `undefined` for signatures this server did not mint (real recordings), else whether it matches. */
export function verifyThinkingSignature(thinking: string, signature: string): boolean | undefined {
  const decoded = Buffer.from(signature, 'base64').toString('utf8');
  if (!decoded.startsWith(SIGNATURE_PREFIX)) return undefined;
  return signature === signThinking(thinking);
}
