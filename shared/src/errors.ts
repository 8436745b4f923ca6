// The error codes of the public API (docs/API.md) and the HTTP status each one travels with.
// Server and web both import this table, so a code can't be answered by one and unknown to the other.

export const errorStatus = {
  validation: 400,
  display_name_claims_role: 400,
  rules_not_accepted: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  csrf: 403,
  not_a_member: 403,
  muted: 403,
  banned: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  username_taken: 409,
  display_name_like_staff: 409,
  slug_taken: 409,
  room_archived: 403,
  payload_too_large: 413,
  unsupported_media_type: 415,
  headers_too_large: 431,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorStatus, value);
}
