import { CodyError, ERROR_CODES } from '@cody/schema';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { capErrorInfo } from './cap-error-info';
import { httpStatusForCode } from './http-status-for-code';

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

// Fastify's own client-error codes, named the way our API names them
const FASTIFY_CODES: Record<string, { code: string; status: number }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: ERROR_CODES.PAYLOAD_TOO_LARGE, status: 413 },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: ERROR_CODES.UNSUPPORTED_MEDIA_TYPE, status: 415 },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: ERROR_CODES.INVALID_JSON, status: 400 },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: ERROR_CODES.INVALID_JSON, status: 400 },
};

// the request's own text is echoed at most this far
const MAX_ECHOED_URL = 200;

/** Every error leaves as JSON `{error:{code,message,details?}}`; client mistakes are never 500. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const url =
      request.url.length > MAX_ECHOED_URL ? `${request.url.slice(0, MAX_ECHOED_URL)}…` : request.url;
    void reply
      .code(404)
      .send({ error: { code: ERROR_CODES.NOT_FOUND, message: `no route ${request.method} ${url}` } });
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = toErrorBody(error);
    if (body.error.code === ERROR_CODES.UNSUPPORTED_MEDIA_TYPE) {
      // Fastify's text does not say which type was refused or which one is wanted
      const given = (request.headers['content-type'] ?? '(none)').slice(0, MAX_ECHOED_URL);
      body.error.message = `content type ${given} is not supported: send application/json`;
    }
    body.error = capErrorInfo(body.error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.error.code }, body.error.message);
    void reply.code(status).send(body);
  });
}

function toErrorBody(error: FastifyError): { status: number; body: ErrorBody } {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    const issues = error.validation.map((issue) => {
      const path = [where, ...issue.instancePath.split('/').filter(Boolean)].join('.');
      const message = issue.message ?? 'invalid';
      return { path, message: /received undefined$/.test(message) ? 'Required' : message };
    });
    return {
      status: 400,
      body: {
        error: {
          code: ERROR_CODES.VALIDATION_ERROR,
          message: issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
          details: { issues },
        },
      },
    };
  }
  if (CodyError.isInstance(error)) {
    return { status: httpStatusForCode(error.code), body: { error: error.toInfo() } };
  }
  const known = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (known) return { status: known.status, body: { error: { code: known.code, message: error.message } } };
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message))) {
    return {
      status: 400,
      body: {
        error: { code: ERROR_CODES.INVALID_JSON, message: `body is not valid JSON: ${error.message}` },
      },
    };
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return {
      status: error.statusCode,
      body: { error: { code: ERROR_CODES.BAD_REQUEST, message: error.message } },
    };
  }
  return { status: 500, body: { error: { code: ERROR_CODES.INTERNAL_ERROR, message: 'internal error' } } };
}
