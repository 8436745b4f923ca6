// One error handler and one not-found handler for the whole app: every failure leaves as
// `{ error: { code, message } }` with the status of its code. A 5xx says only that something went wrong;
// the detail goes to the log under the request id.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '@kindred/shared';
import { sqlState } from '@kindred/db';
import { ApiError } from '../errors.ts';
import { UNSTORABLE } from './validation.ts';

type FastifyValidation = NonNullable<FastifyError['validation']>[number];

/** Fastify's own error codes that a client can cause, and what each means in our API. */
const fastifyCodes: Record<string, [ErrorCode, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported_media_type', 'Please send this request as JSON.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['validation', 'The request body length is wrong.'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['payload_too_large', 'That is more than this request can hold.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['validation', 'The request body is empty; it should be a JSON object.'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['validation', 'The request body is not valid JSON.'],
  FST_ERR_CTP_INVALID_CONTENT_TYPE: ['unsupported_media_type', 'Please send this request as JSON.'],
  FST_ERR_BAD_URL: ['validation', 'That address is not valid.'],
  FST_ERR_ASYNC_CONSTRAINT: ['validation', 'That request is not valid.'],
};

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  if (error.retryAfter !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfter))));
  const body = { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } };
  return reply.status(error.status).type('application/json; charset=utf-8').send(body);
}

export function toApiError(error: FastifyError | ApiError | Error): ApiError | undefined {
  if (error instanceof ApiError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return validationError(fastifyError.validation, fastifyError.validationContext);
  if (fastifyError.code && fastifyCodes[fastifyError.code]) {
    const [code, message] = fastifyCodes[fastifyError.code]!;
    return new ApiError(code, message);
  }
  // A PostgreSQL data exception (class 22: a NUL byte in text, a number out of range) comes from what a
  // client sent, whichever schema let it through: it is their 400, not our 500.
  if (sqlState(error)?.startsWith('22')) {
    return new ApiError('validation', 'That request holds a value that cannot be stored.');
  }
  if (fastifyError.statusCode === 429) return new ApiError('rate_limited', 'Too many requests. Please wait a little.');
  // Anything else Fastify marks as a client error (a malformed header, say) is a plain validation error.
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new ApiError('validation', 'That request is not valid.');
  }
  return undefined;
}

export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const apiError = toApiError(error);
    if (apiError) {
      if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
      return sendError(reply, apiError);
    }
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, internalError());
  });
}

/** Every method some route of Kindred answers: what a request with a method Node cannot parse is told. */
const METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';

/**
 * The answer to a request Node's HTTP parser refused before Fastify saw it (an unknown method, headers
 * too large, a malformed line, a request that never finished arriving), in the same error shape as every
 * other, written to the socket by hand since there is no request to reply to. Fastify's `clientErrorHandler`.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // A connection reset leaves no one to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const apiError = clientErrorOf(error.code);
  if (socket.writable) {
    const body = JSON.stringify({ error: { code: apiError.code, message: apiError.message } });
    socket.write(
      [
        `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status]}`,
        'Content-Type: application/json; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        'Cache-Control: no-store',
        'X-Content-Type-Options: nosniff',
        ...(apiError.code === 'method_not_allowed' ? [`Allow: ${METHODS}`] : []),
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  }
  socket.destroy(error);
}

function clientErrorOf(nodeCode: string | undefined): ApiError {
  switch (nodeCode) {
    case 'HPE_INVALID_METHOD':
      return new ApiError('method_not_allowed', 'Kindred does not answer that kind of request.');
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError(
        'headers_too_large',
        'That request’s headers were too large to read. If it keeps happening, clearing this site’s cookies may help.',
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ApiError('request_timeout', 'That request took too long to arrive. Please try again.');
    default:
      return new ApiError('validation', 'That request could not be read.');
  }
}

export function internalError(): ApiError {
  return new ApiError('internal', 'Something went wrong on our side. Please try again.');
}

export function apiNotFound(reply: FastifyReply): FastifyReply {
  return sendError(reply, new ApiError('not_found', 'There is nothing at this address.'));
}

export function validationError(issues: FastifyValidation[], part: FastifyError['validationContext']): ApiError {
  const issue = issues[0];
  if (!issue) return new ApiError('validation', 'That request is not valid.');
  const params = issue.params as Record<string, unknown>;
  const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (issue.keyword === 'additionalProperties') {
    const extra = String(params.additionalProperty);
    return new ApiError('validation', `"${extra}" is not a field this request accepts.`, extra);
  }
  if (issue.keyword === 'required') {
    const missing = String(params.missingProperty);
    const field = path ? `${path}.${missing}` : missing;
    return new ApiError('validation', `${field} is required.`, field);
  }
  const field = path || (part === 'body' ? undefined : part);
  const own = (issue as { parentSchema?: { errorMessage?: unknown } }).parentSchema?.errorMessage;
  if (typeof own === 'string' && issue.keyword !== 'type') return new ApiError('validation', own, field);
  const subject = field ?? 'The request body';
  return new ApiError('validation', `${subject} ${describe(issue)}.`, field);
}

function describe(issue: FastifyValidation): string {
  const params = issue.params as Record<string, unknown>;
  switch (issue.keyword) {
    case 'type':
      return `must be ${article(String(params.type))}`;
    case 'minLength':
      return `must be at least ${String(params.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(params.limit)} characters`;
    case 'pattern':
      return 'has characters that are not allowed here';
    case UNSTORABLE:
      return 'holds a character that can’t be stored (an invisible control character, or half of an emoji). Please take it out and try again';
    case 'enum':
    case 'const':
    case 'anyOf':
      return 'is not one of the allowed values';
    default:
      return issue.message ?? 'is not valid';
  }
}

function article(type: string): string {
  const names: Record<string, string> = {
    string: 'text',
    integer: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
    object: 'an object',
    array: 'a list',
    null: 'null',
  };
  return names[type] ?? type;
}
