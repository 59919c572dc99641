import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { isWriteConflict, storageProblem, storageUnavailable } from './storage-errors.ts';

/** Errors shaped as the drivers throw them: node:sqlite sets `errcode` (SQLite's result code), pg sets `code` (SQLSTATE). */
const sqliteError = (errcode: number, message: string) => Object.assign(new Error(message), { code: 'ERR_SQLITE_ERROR', errcode, errstr: message });
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'ERROR' });

describe('storage errors that pass by themselves', () => {
  it('maps SQLite’s full, read-only and I/O results, extended codes included', () => {
    assert.equal(storageProblem(sqliteError(13, 'database or disk is full')), 'disk_full');
    assert.equal(storageProblem(sqliteError(8, 'attempt to write a readonly database')), 'read_only');
    assert.equal(storageProblem(sqliteError(8 | (5 << 8), 'SQLITE_READONLY_DBMOVED')), 'read_only');
    assert.equal(storageProblem(sqliteError(10 | (3 << 8), 'disk I/O error')), 'io_error'); // SQLITE_IOERR_WRITE
  });

  it('maps PostgreSQL’s disk_full (53100), read_only_sql_transaction (25006) and io_error (58030)', () => {
    assert.equal(storageProblem(pgError('53100', 'could not extend file: No space left on device')), 'disk_full');
    assert.equal(storageProblem(pgError('25006', 'cannot execute INSERT in a read-only transaction')), 'read_only');
    assert.equal(storageProblem(pgError('58030', 'could not write to file')), 'io_error');
  });

  it('finds the problem behind a commit group’s failure (its cause)', () => {
    const group = new Error('the database rolled back the transactions committing together', { cause: sqliteError(13, 'database or disk is full') });
    assert.equal(storageProblem(group), 'disk_full');
  });

  it('leaves every other error alone: constraints, syntax, bugs', () => {
    assert.equal(storageProblem(sqliteError(19, 'UNIQUE constraint failed')), null);
    assert.equal(storageProblem(pgError('23505', 'duplicate key value')), null);
    assert.equal(storageProblem(pgError('42601', 'syntax error')), null);
    assert.equal(storageProblem(new TypeError('x is undefined')), null);
    assert.equal(storageProblem(null), null);
    assert.equal(storageUnavailable(new Error('boom')), null);
  });

  it('becomes a storage_unavailable DomainError with a retry time and the reason', () => {
    const error = storageUnavailable(pgError('53100', 'no space'), 'Your text is still here.')!;
    assert.equal(error.code, 'storage_unavailable');
    assert.ok(Number(error.context.retryAfterSeconds) > 0);
    assert.equal(error.context.problem, 'disk_full');
    assert.match(error.message, /disk is full\. Your text is still here\. Please try again/);
  });
});

describe('write conflicts, which pass when done again a moment later', () => {
  /** What node:sqlite itself throws. */
  const thrown = (work: () => void): unknown => {
    try {
      work();
    } catch (error) {
      return error;
    }
    assert.fail('nothing was thrown');
  };

  it('recognises SQLite’s busy database and its unique keys, as node:sqlite throws them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kumbaya-conflict-'));
    const first = new DatabaseSync(path.join(dir, 'db'));
    const second = new DatabaseSync(path.join(dir, 'db'), { timeout: 0 });
    try {
      first.exec('create table t (id integer primary key, email text unique); insert into t values (1, \'a@example.com\')');
      assert.equal(isWriteConflict(thrown(() => first.exec('insert into t values (1, \'b@example.com\')'))), true, 'a primary key taken');
      assert.equal(isWriteConflict(thrown(() => first.exec('insert into t values (2, \'a@example.com\')'))), true, 'a unique column taken');
      first.exec('begin immediate');
      assert.equal(isWriteConflict(thrown(() => second.exec('insert into t values (3, null)'))), true, 'another connection writing');
      first.exec('rollback');
      assert.equal(isWriteConflict(thrown(() => first.exec('insert into t values (4, null, 1)'))), false, 'a mistake in the statement');
      assert.equal(isWriteConflict(thrown(() => first.exec('create table x (a not null); insert into x values (null)'))), false, 'another constraint');
    } finally {
      first.close();
      second.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('recognises PostgreSQL’s unique_violation, serialization_failure and deadlock_detected, behind a cause too', () => {
    assert.equal(isWriteConflict(pgError('23505', 'duplicate key value violates unique constraint')), true);
    assert.equal(isWriteConflict(pgError('40001', 'could not serialize access due to concurrent update')), true);
    assert.equal(isWriteConflict(new Error('the reply could not be stored', { cause: pgError('40P01', 'deadlock detected') })), true);
    assert.equal(isWriteConflict(pgError('23502', 'null value in column violates not-null constraint')), false);
    assert.equal(isWriteConflict(pgError('53100', 'could not extend file')), false);
    assert.equal(isWriteConflict(new Error('c.example did not answer')), false);
  });
});
