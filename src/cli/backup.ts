import path from 'node:path';
import { stringOption, type Command } from './command.ts';
import { generator } from './output-file.ts';

export const backupCommand: Command = {
  name: 'backup',
  summary: 'Write a consistent snapshot of the running site (database and uploads) to a new folder',
  details:
    'Safe while the server runs. On SQLite the folder gets a copy of the database made with VACUUM INTO (one consistent read; uploads live in the database); on PostgreSQL, the JSON export with secrets, read in one REPEATABLE READ transaction (no pg_dump needed). A manifest.json records the version, engine, time, size and SHA-256.',
  options: {
    output: { type: 'string', short: 'o', value: 'DIR', description: 'Folder to create (default: backups/kumbaya-<time> under DATA_DIR)' },
  },
  examples: ['npx kumbaya backup', 'npx kumbaya backup --output /var/backups/kumbaya-monday'],
  async run(ctx) {
    const config = ctx.config();
    const now = Date.now();
    const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
    const dir = path.resolve(stringOption(ctx, 'output') ?? path.join(config.dataDir, 'backups', `kumbaya-${stamp}`));
    const { openStore, databaseTarget } = await import('../adapters/storage/open-store.ts');
    const { createBackup } = await import('../migration/backup.ts');
    const store = await openStore(config);
    try {
      const manifest = await createBackup({ store, sqliteFile: config.databaseUrl ? null : databaseTarget(config).sqliteFile!, dir, now, generator: generator() });
      ctx.io.stdout.write(`Backed up ${manifest.engine} (${manifest.bytes} bytes, sha256 ${manifest.sha256.slice(0, 12)}…) to ${dir}\n`);
    } finally {
      await store.close();
    }
  },
};
