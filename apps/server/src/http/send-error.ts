import type { FastifyReply } from 'fastify';

/** Ends a request from a hook with the `{error:{code,message}}` envelope. */
export function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: { code, message } });
}
