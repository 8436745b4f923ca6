export * as schema from './schema.ts';
export {
  createDb,
  DataDirInUseError,
  PGLITE_SETTINGS,
  type Database,
  type DatabaseHandle,
  type DatabaseOptions,
} from './client.ts';
export { migrate, migrationStatus } from './migrate.ts';
export { sqlState, UNIQUE_VIOLATION } from './errors.ts';
