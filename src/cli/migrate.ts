import path from 'node:path';
import type { Config } from '../config/config.ts';
import type { Command } from './command.ts';

/** Where the data lives, without any password. */
export function describeDatabase(config: Config): string {
  if (!config.databaseUrl) return `SQLite at ${path.join(config.dataDir, 'kumbaya.db')}`;
  const url = new URL(config.databaseUrl);
  return `PostgreSQL at ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
}

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Apply pending database migrations and list the ones that ran',
  details: 'The server also migrates when it starts; run this before starting a new version to see what changes, or in a deploy step.',
  options: {},
  examples: ['npx kumbaya migrate', 'DATABASE_URL=postgres://kumbaya@127.0.0.1:5432/kumbaya npx kumbaya migrate'],
  async run({ io, config }) {
    const settings = config();
    io.stdout.write(`Database: ${describeDatabase(settings)}\n`);
    // Not openStore: here the migration results are wanted.
    const { migrateToLatest, openDatabase } = await import('../adapters/storage/database.ts');
    const { databaseTarget } = await import('../adapters/storage/open-store.ts');
    const { db, engine } = openDatabase(databaseTarget(settings));
    try {
      const { applied } = await migrateToLatest(db, engine);
      for (const name of applied) io.stdout.write(`Applied ${name}\n`);
      io.stdout.write(
        applied.length === 0 ? 'Nothing to apply: the database is up to date.\n' : `Done: ${applied.length} migration${applied.length === 1 ? '' : 's'} applied; the database is up to date.\n`,
      );
    } finally {
      await db.destroy();
    }
  },
};
