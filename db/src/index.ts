export * as schema from './schema.ts';
export {
  createDb,
  DataDirInUseError,
  lockDataDir,
  openPgliteFrom,
  pgliteDir,
  PGLITE_SETTINGS,
  type Database,
  type DatabaseHandle,
  type DatabaseOptions,
} from './client.ts';
export { knownMigrationTimes, migrate, migrationStatus } from './migrate.ts';
export { sqlState, UNIQUE_VIOLATION } from './errors.ts';
