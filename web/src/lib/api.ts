// The one client of Kindred's API. Same origin, JSON in and out; the session travels as an HttpOnly
// cookie, so no token ever passes through here. Every failure becomes an ApiError whose message is
// written for people and can be shown as it is.
import type { ErrorCode } from '@kindred/shared';

/** Long enough for a slow phone connection; short enough that a busy button never spins forever. */
const timeoutMs = 30_000;

const networkMessage = "We couldn't reach Kindred. Check your connection and try again — nothing you typed is lost.";
const unexpectedMessage = 'Something went wrong on our side. Please try again in a moment — nothing you typed is lost.';

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode | 'network',
    message: string,
    /** The request field the error is about, so a form can show the message beside it. */
    readonly field: string | undefined,
    /** The HTTP status; 0 when no answer arrived. */
    readonly status: number,
    /** Seconds to wait before trying again, from Retry-After. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new ApiError('network', networkMessage, undefined, 0);
  }
  if (response.ok) {
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
  throw await toApiError(response);
}

async function toApiError(response: Response): Promise<ApiError> {
  const retryAfter = Number(response.headers.get('retry-after')) || undefined;
  try {
    const { error } = (await response.json()) as { error: { code: ErrorCode; message: string; field?: string } };
    if (typeof error.code === 'string' && typeof error.message === 'string') {
      return new ApiError(error.code, error.message, error.field, response.status, retryAfter);
    }
  } catch {
    // Not our error shape (a proxy's page, say): fall through to the plain message.
  }
  return new ApiError(
    response.status >= 500 ? 'internal' : 'validation',
    unexpectedMessage,
    undefined,
    response.status,
  );
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T = void>(path: string, body?: unknown) => request<T>('POST', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T = void>(path: string, body: unknown) => request<T>('PUT', path, body),
  delete: <T = void>(path: string, body?: unknown) => request<T>('DELETE', path, body),
};
