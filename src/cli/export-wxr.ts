import { stringOption, type Command } from './command.ts';
import { generator, writeOutput } from './output-file.ts';

export const exportWxrCommand: Command = {
  name: 'export wxr',
  summary: 'Write posts, pages, tags and comments as WordPress eXtended RSS 1.2',
  details:
    "The file WordPress's own importer reads (Tools → Import → WordPress). Authors, tags (as post_tag), posts and pages with their HTML, status (publish, future, draft, private for unlisted, trash) and old slugs, and every comment with its parent, status (1, 0, spam, trash), author, email, website and IP. The Markdown of each post travels in a `_kumbaya_markdown` meta field. Times are written in UTC.",
  options: {
    output: { type: 'string', short: 'o', value: 'FILE', description: 'Write to FILE instead of standard output' },
  },
  examples: ['npx kumbaya export wxr --output wordpress.xml'],
  async run(ctx) {
    const config = ctx.config();
    const { openStore } = await import('../adapters/storage/open-store.ts');
    const { writeWxrExport } = await import('../migration/export-wxr.ts');
    const store = await openStore(config);
    try {
      const file = stringOption(ctx, 'output');
      const summary = await writeOutput(ctx, file, (write) => writeWxrExport(store, write, { siteUrl: config.siteUrl, now: Date.now(), generator: generator() }));
      ctx.io.stderr.write(
        `Exported ${summary.items} posts and pages, ${summary.comments} comments, ${summary.pings ? `${summary.pings} ${summary.pings === 1 ? 'pingback/trackback' : 'pingbacks/trackbacks'}, ` : ''}${summary.tags} tags and ${summary.authors} authors${file ? ` to ${file}` : ''}.\n`,
      );
    } finally {
      await store.close();
    }
  },
};
