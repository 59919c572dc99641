import fs from 'node:fs';
import { CommandFailure, type Command } from './command.ts';
import { describeCounts, mentionsNote, progressLine } from './output-file.ts';

export const importJsonCommand: Command = {
  name: 'import json',
  summary: 'Restore a Kumbaya JSON export into an empty site (all or nothing)',
  details:
    'Reads a file written by `kumbaya export json` (stop the server first, or restart it afterwards) into the database the environment names (DATA_DIR or DATABASE_URL), in one transaction: on any error nothing is changed. Records keep their ids, so links to posts and comments keep working. This is how a site moves from SQLite to PostgreSQL.\n' +
    'A site that already has content is refused; --replace erases its content (not its settings) in the same transaction.',
  arguments: [{ name: 'FILE', description: 'The export to read, or - for standard input' }],
  options: {
    replace: { type: 'boolean', description: "Erase the site's existing content first" },
  },
  examples: [
    'DATABASE_URL=postgres://kumbaya@127.0.0.1:5432/kumbaya npx kumbaya import json site.json',
    'npx kumbaya export json --with-secrets | DATABASE_URL=postgres://kumbaya@db/kumbaya npx kumbaya import json -',
  ],
  async run(ctx) {
    const [file] = ctx.args;
    if (file !== '-' && !fs.existsSync(file)) throw new CommandFailure(`${file} does not exist.`);
    const { openStore } = await import('../adapters/storage/open-store.ts');
    const { importJsonExport } = await import('../migration/json-import.ts');
    const store = await openStore(ctx.config());
    const progress = progressLine(ctx, 'Importing');
    try {
      const summary = await importJsonExport(store, file === '-' ? (ctx.io.stdin as AsyncIterable<Buffer>) : fs.createReadStream(file), { replace: ctx.options.replace === true, progress: progress.update }).finally(progress.done);
      ctx.io.stdout.write(`Imported ${describeCounts(summary.counts)}.\n${mentionsNote(summary.mentionsToVerify)}`);
      if (!summary.withSecrets && summary.usersWithoutPassword > 0) {
        ctx.io.stdout.write(
          `${summary.usersWithoutPassword} user(s) have no password: the export was taken without --with-secrets. Export again with it to keep passwords.\n`,
        );
      }
    } finally {
      await store.close();
    }
  },
};
