// The error every layer throws for an answer a person should read. Its code comes from shared/, so the
// status is never chosen twice; the one error handler (plugins/errors.ts) turns it into the API body.
import { errorStatus, type ErrorCode } from '@kindred/shared';

export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The request field this error is about, so a form can show the message beside it. */
    readonly field?: string,
    /** Seconds, for `rate_limited` answers (sent as Retry-After). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.status = errorStatus[code];
  }
}
