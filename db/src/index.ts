export * as schema from './schema.ts';
export { createDb, DataDirInUseError, type Database, type DatabaseHandle, type DatabaseOptions } from './client.ts';
export { migrate, migrationStatus } from './migrate.ts';
export { sqlState, UNIQUE_VIOLATION } from './errors.ts';
