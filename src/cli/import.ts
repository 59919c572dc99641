import fs from 'node:fs';
import { formatReport, type ImportReport } from '../migration/import-report.ts';
import type { ImportInput, ImportOptions } from '../migration/import-run.ts';
import { ImportFormatError, ImportParseError } from '../migration/import-xml.ts';
import type { Store } from '../core/store.ts';
import { importDisqus, type DisqusOptions } from '../migration/disqus-import.ts';
import { importWordpress } from '../migration/wordpress-import.ts';
import { CommandFailure, UsageError, type Command, type OptionSpec } from './command.ts';
import { progressBar } from './progress-bar.ts';

type Importer = (store: Store, input: ImportInput, options: ImportOptions & DisqusOptions) => Promise<ImportReport>;

/** `--map 247918464=episode-229,247937687=about`: Disqus thread ids and the slugs of the posts they belong on. */
export function parseThreadMap(text: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([^=\s]+)=([a-z0-9]+(?:-[a-z0-9]+)*)$/.exec(pair);
    if (!match) throw new UsageError(`--map wants THREAD_ID=SLUG pairs separated by commas (e.g. 247918464=episode-229); "${pair}" is not one.`);
    map[match[1]] = match[2];
  }
  return map;
}

function importCommand(source: 'wordpress' | 'disqus', importer: Importer): Command {
  const what = source === 'wordpress' ? 'a WordPress export (WXR 1.0 to 1.2)' : 'a Disqus export';
  return {
    name: `import ${source}`,
    summary: `Import ${what}; --dry-run shows what it would do`,
    details: [
      source === 'wordpress'
        ? 'Posts, pages, tags, authors (as users without passwords), comments with their threading, and old addresses (301).'
        : 'Threads are matched to posts by their link (imported WordPress addresses count); comments keep their threading.',
      'All or nothing: one transaction, so a malformed file changes nothing. Importing the same file again creates no duplicates.',
      'Progress goes to standard error, the report to standard output.',
      'SQLite: the import is one long write, so run it while the site is quiet, and restart the server afterwards so that it drops cached pages.',
    ].join('\n'),
    arguments: [{ name: 'FILE', description: `The export file (.xml)` }],
    options: {
      'dry-run': { type: 'boolean', description: 'Do everything and report it, then roll it all back' },
      ...(source === 'disqus'
        ? { map: { type: 'string', value: 'THREAD_ID=SLUG,…', description: 'Put these threads on these posts (the report lists threads no post was found for)' } satisfies OptionSpec }
        : {}),
    },
    examples: [
      `npx kumbaya import ${source} ${source === 'wordpress' ? 'wordpress-export.xml' : 'disqus-export.xml'} --dry-run`,
      ...(source === 'disqus' ? ['npx kumbaya import disqus disqus-export.xml --map 247918464=episode-229'] : []),
    ],
    async run(ctx) {
      const [file] = ctx.args;
      const threadMap = typeof ctx.options.map === 'string' ? parseThreadMap(ctx.options.map) : undefined;
      let size: number;
      try {
        size = fs.statSync(file).size;
      } catch {
        throw new CommandFailure(`Cannot read ${file}: no such file.`);
      }
      // The store alone: the rest of the application would take memory the import needs.
      const store = await ctx.openStore();
      const bar = progressBar(ctx.io.stderr, `Reading ${file}`, size);
      let report: ImportReport;
      try {
        report = await importer(store, fs.createReadStream(file), { dryRun: ctx.options['dry-run'] === true, onProgress: (bytes) => bar.update(bytes), threadMap });
      } catch (error) {
        if (error instanceof ImportParseError) throw new CommandFailure(`${file} is not well-formed XML, so nothing was imported: ${error.message}`);
        if (error instanceof ImportFormatError) throw new CommandFailure(`${error.message} Nothing was imported.`);
        throw error;
      }
      bar.done();
      ctx.io.stderr.write(`Done in ${(report.durationMs / 1000).toFixed(1)} s; peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MB.\n`);
      if (!report.dryRun) await ctx.publish('content-imported');
      ctx.io.stdout.write(formatReport(report));
    },
  };
}

export const importWordpressCommand = importCommand('wordpress', importWordpress);
export const importDisqusCommand = importCommand('disqus', importDisqus);
