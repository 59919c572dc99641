import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { DomainError } from '../core/errors.ts';
import type { Store } from '../core/store.ts';
import { textSink } from './export-format.ts';
import { writeJsonExport } from './export-json.ts';
import { importJsonExport, type JsonImportSummary } from './json-import.ts';

export const BACKUP_VERSION = 1;
export const MANIFEST = 'manifest.json';

/** manifest.json, written last: a backup folder without one is incomplete. */
export interface BackupManifest {
  kumbaya_backup: number;
  created_at: string;
  generator: string;
  /** The engine the site ran on. */
  engine: 'sqlite' | 'postgres';
  /** 'sqlite': a copy of the database file; 'kumbaya-json': a JSON export with secrets (docs/export-format.md). */
  format: 'sqlite' | 'kumbaya-json';
  file: string;
  bytes: number;
  sha256: string;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function refuseNonEmpty(dir: string): void {
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    throw new DomainError('conflict', `${dir} is not empty; back up into a new folder (or leave out --output for a dated one).`);
  }
}

export interface BackupTarget {
  /** The site's store (PostgreSQL backups read through it). */
  store: Store;
  /** The SQLite file, when the site runs on SQLite. */
  sqliteFile: string | null;
  dir: string;
  now: number;
  generator: string;
}

/**
 * A consistent snapshot of a site that keeps serving. SQLite: `VACUUM INTO` copies the
 * database as one read transaction sees it (WAL lets writers carry on), uploads
 * included, since they live in the database. PostgreSQL: the JSON export with secrets,
 * read in one REPEATABLE READ transaction, so no client tools (pg_dump) are needed.
 * Then a manifest with the file's size and SHA-256.
 */
export async function createBackup(target: BackupTarget): Promise<BackupManifest> {
  refuseNonEmpty(target.dir);
  fs.mkdirSync(target.dir, { recursive: true });
  try {
    return await snapshotInto(target);
  } catch (error) {
    // Leave no folder that looks like a backup but is not one.
    fs.rmSync(target.dir, { recursive: true, force: true });
    throw error;
  }
}

async function snapshotInto(target: BackupTarget): Promise<BackupManifest> {
  const sqlite = target.sqliteFile !== null;
  const file = sqlite ? 'kumbaya.db' : 'kumbaya-export.json';
  const out = path.join(target.dir, file);
  if (sqlite) {
    const source = new DatabaseSync(target.sqliteFile!);
    try {
      source.exec('pragma busy_timeout = 10000');
      source.prepare('vacuum into ?').run(out);
    } finally {
      source.close();
    }
  } else {
    const stream = fs.createWriteStream(out);
    const write = textSink(stream);
    await target.store.archive.snapshot((archive) => writeJsonExport(archive, write, { withSecrets: true, now: target.now, generator: target.generator }));
    await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
  const manifest: BackupManifest = {
    kumbaya_backup: BACKUP_VERSION,
    created_at: new Date(target.now).toISOString(),
    generator: target.generator,
    engine: sqlite ? 'sqlite' : 'postgres',
    format: sqlite ? 'sqlite' : 'kumbaya-json',
    file,
    bytes: fs.statSync(out).size,
    sha256: await sha256Of(out),
  };
  fs.writeFileSync(path.join(target.dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Reads and checks a backup folder: its manifest, and that the file is whole. */
export async function readBackup(dir: string): Promise<{ manifest: BackupManifest; file: string }> {
  const manifestPath = path.join(dir, MANIFEST);
  if (!fs.existsSync(manifestPath)) throw new DomainError('validation_failed', `${dir} is not a Kumbaya backup: it has no ${MANIFEST} (an interrupted backup?).`);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as BackupManifest;
  } catch (error) {
    throw new DomainError('validation_failed', `${manifestPath} is not valid JSON: ${(error as Error).message}`);
  }
  if (manifest.kumbaya_backup !== BACKUP_VERSION) {
    throw new DomainError('validation_failed', `This backup is version ${JSON.stringify(manifest.kumbaya_backup)}; this Kumbaya restores version ${BACKUP_VERSION}.`);
  }
  const file = path.join(dir, path.basename(manifest.file));
  if (!fs.existsSync(file)) throw new DomainError('validation_failed', `The backup's ${manifest.file} is missing from ${dir}.`);
  const sha256 = await sha256Of(file);
  if (sha256 !== manifest.sha256) throw new DomainError('validation_failed', `The backup is damaged: ${manifest.file} does not match the checksum in ${MANIFEST}.`);
  return { manifest, file };
}

export interface RestoreTarget {
  /** The SQLite file to create, when restoring onto SQLite. */
  sqliteFile: string | null;
  /** Opens (and migrates) the target store, after a SQLite file has been put in place. */
  openTarget: () => Promise<Store>;
  /** Opens a copy of a SQLite backup as a store, to move it onto PostgreSQL. */
  openSqlite: (file: string) => Promise<Store>;
  replace: boolean;
}

export type RestoreResult = { method: 'file copy' } | ({ method: 'import' } & JsonImportSummary);

/**
 * Brings a backup back: a SQLite backup onto SQLite by copying the file into place, any
 * other combination by streaming its records into the target in one transaction.
 * Refuses a target that already has a database or content unless `replace` is set.
 */
export async function restoreBackup(dir: string, target: RestoreTarget): Promise<RestoreResult> {
  const { manifest, file } = await readBackup(dir);
  if (manifest.format === 'sqlite' && target.sqliteFile) {
    const dest = target.sqliteFile;
    if (fs.existsSync(dest) && !target.replace) {
      throw new DomainError('conflict', `${dest} already exists; restore into a fresh data directory, or pass --replace (with the server stopped) to overwrite it.`);
    }
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const partial = `${dest}.restoring`;
    fs.copyFileSync(file, partial);
    for (const stale of [`${dest}-wal`, `${dest}-shm`]) fs.rmSync(stale, { force: true });
    fs.renameSync(partial, dest);
    const store = await target.openTarget(); // applies newer migrations, and proves the file opens
    await store.close();
    return { method: 'file copy' };
  }
  const store = await target.openTarget();
  try {
    if (manifest.format === 'kumbaya-json') {
      return { method: 'import', ...(await importJsonExport(store, fs.createReadStream(file), { replace: target.replace })) };
    }
    // A SQLite backup onto PostgreSQL: read a copy (opening migrates it) and stream it across.
    const copy = path.join(path.dirname(file), `.restore-${process.pid}.db`);
    fs.copyFileSync(file, copy);
    const source = await target.openSqlite(copy);
    try {
      const pipe = new PassThrough();
      const write = textSink(pipe);
      // Each side stops the other: a failed import ends the export's waiting writes, a failed export ends the import's reading.
      const importing = importJsonExport(store, pipe, { replace: target.replace }).catch((error: unknown) => {
        pipe.destroy(error as Error);
        throw error;
      });
      const exporting = source.archive
        .snapshot((archive) => writeJsonExport(archive, write, { withSecrets: true, now: Date.parse(manifest.created_at), generator: manifest.generator }))
        .then(
          () => void pipe.end(),
          (error: unknown) => void pipe.destroy(error as Error),
        );
      const [imported] = await Promise.allSettled([importing, exporting]);
      if (imported.status === 'rejected') throw imported.reason;
      return { method: 'import', ...imported.value };
    } finally {
      await source.close();
      fs.rmSync(copy, { force: true });
    }
  } finally {
    await store.close();
  }
}
