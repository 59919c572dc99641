import { stringOption, type Command } from './command.ts';
import { describeCounts, generator, progressLine, writeOutput } from './output-file.ts';

export const exportJsonCommand: Command = {
  name: 'export json',
  summary: 'Write the whole site as a versioned JSON export (docs/export-format.md)',
  details:
    'Posts and pages with their Markdown and HTML, tags, users, comments with their threads and statuses, people, subscriptions, uploads (base64), settings and the spam filter, read from one consistent snapshot while the site keeps serving.\n' +
    'Secrets are left out unless --with-secrets is given: the site key, password hashes, API token hashes. Include them to move a site to another server with its accounts; keep such a file as safe as the database itself.',
  options: {
    output: { type: 'string', short: 'o', value: 'FILE', description: 'Write to FILE instead of standard output' },
    'with-secrets': { type: 'boolean', description: 'Include the site key, password hashes and token hashes' },
  },
  examples: ['npx kumbaya export json --output site.json', 'npx kumbaya export json --with-secrets > move.json'],
  async run(ctx) {
    const { openStore } = await import('../adapters/storage/open-store.ts');
    const { writeJsonExport } = await import('../migration/export-json.ts');
    const store = await openStore(ctx.config());
    const progress = progressLine(ctx, 'Exporting');
    try {
      const file = stringOption(ctx, 'output');
      const options = { withSecrets: ctx.options['with-secrets'] === true, now: Date.now(), generator: generator(), progress: progress.update };
      const { counts } = await writeOutput(ctx, file, (write) => store.archive.snapshot((archive) => writeJsonExport(archive, write, options))).finally(progress.done);
      ctx.io.stderr.write(`Exported ${describeCounts(counts)}${file ? ` to ${file}` : ''}.\n`);
    } finally {
      await store.close();
    }
  },
};
