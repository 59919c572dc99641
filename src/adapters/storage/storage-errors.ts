import { DomainError } from '../../core/errors.ts';

/** Why the database cannot write now; each passes by itself once the disk is fixed. */
export type StorageProblem = 'disk_full' | 'read_only' | 'io_error';

const problemText: Record<StorageProblem, string> = {
  disk_full: 'the database’s disk is full',
  read_only: 'the database is read-only',
  io_error: 'the database’s disk cannot be written',
};

/** SQLite's primary result codes (the low byte of an extended code). */
const sqliteCodes: Record<number, StorageProblem> = { 13: 'disk_full', 8: 'read_only', 10: 'io_error' };
/** PostgreSQL's SQLSTATEs: disk_full, read_only_sql_transaction, io_error. */
const postgresCodes: Record<string, StorageProblem> = { '53100': 'disk_full', '25006': 'read_only', '58030': 'io_error' };

/**
 * The storage problem behind `error`, if it is one: a node:sqlite error carries SQLite's
 * result code in `errcode`, a pg error its SQLSTATE in `code`. The cause chain is followed,
 * since a commit group that failed hands its members the error that ended it.
 */
export function storageProblem(error: unknown): StorageProblem | null {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { errcode, code } = e as { errcode?: unknown; code?: unknown };
    if (typeof errcode === 'number' && sqliteCodes[errcode & 0xff]) return sqliteCodes[errcode & 0xff];
    if (typeof code === 'string' && postgresCodes[code]) return postgresCodes[code];
  }
  return null;
}

/** Seconds a client is asked to wait before trying a write again. */
export const STORAGE_RETRY_SECONDS = 60;

/**
 * A `storage_unavailable` DomainError for a storage problem, or null for any other error.
 * `advice` is added to the message (what became of what the person sent).
 */
export function storageUnavailable(error: unknown, advice = ''): DomainError | null {
  const problem = storageProblem(error);
  if (!problem) return null;
  return new DomainError(
    'storage_unavailable',
    `Nothing can be saved right now: ${problemText[problem]}.${advice ? ` ${advice}` : ''} Please try again in a few minutes.`,
    {},
    { retryAfterSeconds: STORAGE_RETRY_SECONDS, problem, reason: problemText[problem] },
  );
}

/** Whether `error` is a unique constraint refusing a write, on PostgreSQL (23505) or SQLite. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || /UNIQUE constraint failed/.test(e?.message ?? '');
}

/** PostgreSQL's SQLSTATEs for a write that lost to another's: unique_violation, serialization_failure, deadlock_detected. */
const postgresConflicts = new Set(['23505', '40001', '40P01']);
/** SQLite's primary result codes: SQLITE_BUSY, SQLITE_LOCKED; and SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY (extended). */
const sqliteConflicts = new Set([5, 6]);
const sqliteUniqueConflicts = new Set([2067, 1555]);

/**
 * Whether `error` (or an error in its cause chain) is a write that lost to another made at
 * the same moment: a unique key taken between a look-up and an insert, a serialization
 * failure or deadlock on PostgreSQL, a busy or locked SQLite. Done again a moment later,
 * such work usually succeeds (the other write has committed, and the look-up finds it).
 */
export function isWriteConflict(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { errcode, code } = e as { errcode?: unknown; code?: unknown };
    if (typeof errcode === 'number' && (sqliteConflicts.has(errcode & 0xff) || sqliteUniqueConflicts.has(errcode))) return true;
    if (typeof code === 'string' && postgresConflicts.has(code)) return true;
  }
  return false;
}
