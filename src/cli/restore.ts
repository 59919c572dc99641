import path from 'node:path';
import { CommandFailure, stringOption, type Command } from './command.ts';
import { describeCounts, mentionsNote } from './output-file.ts';

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'Bring a backup folder back into a fresh data directory or database',
  details:
    'The target is DATA_DIR (or --data-dir) for SQLite, or DATABASE_URL for PostgreSQL; either kind of backup restores onto either engine. The checksum is verified first. A target that already holds a database (SQLite) or content (PostgreSQL) is refused unless --replace is given; stop the server before replacing.',
  arguments: [{ name: 'BACKUP', description: 'The backup folder (holding manifest.json)' }],
  options: {
    'data-dir': { type: 'string', value: 'DIR', description: 'Restore SQLite into this data directory instead of DATA_DIR' },
    replace: { type: 'boolean', description: 'Overwrite the existing database or content' },
  },
  examples: ['DATA_DIR=./restored npx kumbaya restore data/backups/kumbaya-2026-01-05T10-00-00-000Z'],
  async run(ctx) {
    const base = ctx.config();
    const dataDir = stringOption(ctx, 'data-dir');
    if (dataDir && base.databaseUrl) throw new CommandFailure('--data-dir is for SQLite; DATABASE_URL is set, so the backup would go to PostgreSQL. Unset one of them.');
    const config = dataDir ? { ...base, dataDir: path.resolve(dataDir) } : base;
    const { openStore, databaseTarget } = await import('../adapters/storage/open-store.ts');
    const { restoreBackup } = await import('../migration/backup.ts');
    const { KyselyStore } = await import('../adapters/storage/kysely-store.ts');
    const { migrateToLatest, openDatabase } = await import('../adapters/storage/database.ts');
    const result = await restoreBackup(path.resolve(ctx.args[0]), {
      sqliteFile: config.databaseUrl ? null : databaseTarget(config).sqliteFile!,
      openTarget: () => openStore(config),
      openSqlite: async (file) => {
        const { db, engine } = openDatabase({ databaseUrl: null, sqliteFile: file });
        await migrateToLatest(db, engine);
        return new KyselyStore(db, engine);
      },
      replace: ctx.options.replace === true,
    });
    const where = config.databaseUrl ? 'PostgreSQL' : config.dataDir;
    ctx.io.stdout.write(
      result.method === 'file copy' ? `Restored the database file into ${where}.\n` : `Restored ${describeCounts(result.counts)} into ${where}.\n${mentionsNote(result.mentionsToVerify)}`,
    );
  },
};
