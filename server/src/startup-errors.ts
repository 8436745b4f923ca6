// Turns the failures an operator can meet at start-up into one plain sentence instead of a stack trace.
import { DataDirInUseError } from '@kindred/db';

export function describeStartupError(error: unknown): string {
  if (error instanceof DataDirInUseError) return `${error.message} Stop it first, or set DATA_DIR to another folder.`;
  const err = error as NodeJS.ErrnoException & { address?: string; port?: number; code?: string };
  switch (err?.code) {
    case 'EADDRINUSE':
      return `port ${err.port ?? ''} is already in use. Stop what is using it, or set PORT to another port.`;
    case 'EACCES':
      return err.syscall === 'listen'
        ? `this user may not listen on port ${err.port ?? ''}. Set PORT to 1024 or above.`
        : `permission denied (${err.path ?? err.message}). Check DATA_DIR.`;
    case 'EADDRNOTAVAIL':
      return 'HOST is not an address of this machine.';
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return `the database in DATABASE_URL could not be reached (${err.code}). Is PostgreSQL running there?`;
    case '28P01':
    case '28000':
      return 'the database in DATABASE_URL refused the user name or password.';
    case '3D000':
      return 'the database named in DATABASE_URL does not exist. Create it first (createdb).';
    default:
      break;
  }
  if (err instanceof Error && /timeout/i.test(err.message)) {
    return 'the database in DATABASE_URL did not answer in time. Is PostgreSQL running there?';
  }
  return `an unexpected error: ${err instanceof Error ? err.message : String(err)}`;
}
