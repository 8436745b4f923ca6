// The SQLSTATE of an error PostgreSQL answered with, whichever driver (pg, PGlite) or wrapper (drizzle
// puts the driver's error in `cause`) it came through; undefined for anything else, such as a lost socket.
export function sqlState(error: unknown): string | undefined {
  const code =
    (error as { code?: unknown } | null)?.code ?? (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export const UNIQUE_VIOLATION = '23505';
