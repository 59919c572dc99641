import { archiveKey, type ArchiveKey, type ArchiveRepository } from '../core/archive.ts';
import { EXPORT_VERSION, isSecretSetting, sections, toFileRecord } from './export-format.ts';

export interface JsonExportOptions {
  /** Include the site's secret key, password hashes, API token hashes and comment edit-token hashes (backups, moving servers). */
  withSecrets: boolean;
  /** When the export was taken, epoch ms. */
  now: number;
  /** "kumbaya 0.1.0" */
  generator: string;
  /** Records read per query; small for uploads, whose bytes are large. */
  pageSize?: number;
  /** Called after every page with the section and how many of its records are written. */
  progress?: (section: string, written: number) => void;
}

export interface JsonExportSummary {
  /** Records written per section. */
  counts: Record<string, number>;
}

/**
 * Writes the whole site as one JSON document (docs/export-format.md) to `write`,
 * section by section and page by page: memory holds one page, whatever the site's size.
 * Run it inside `archive.snapshot` for a consistent picture of a site that is serving.
 */
export async function writeJsonExport(archive: ArchiveRepository, write: (text: string) => Promise<void>, options: JsonExportOptions): Promise<JsonExportSummary> {
  const counts: Record<string, number> = {};
  const head = { kumbaya_export: EXPORT_VERSION, exported_at: new Date(options.now).toISOString(), generator: options.generator, with_secrets: options.withSecrets };
  await write(`${JSON.stringify(head, null, 1).slice(0, -2)},\n`);
  const wanted = sections.filter((s) => options.withSecrets || !s.secret);
  for (const [index, section] of wanted.entries()) {
    const isSite = section.name === 'site';
    await write(`"${section.name}": ${isSite ? '{' : '['}`);
    let written = 0;
    let after: ArchiveKey | null = null;
    const pageSize = section.table === 'uploads' ? 20 : (options.pageSize ?? 500);
    for (;;) {
      const page: unknown[] = await archive.read(section.table, after, pageSize);
      if (page.length === 0) break;
      after = archiveKey(section.table, page[page.length - 1] as never);
      let chunk = '';
      for (const record of page) {
        let line: string;
        if (isSite) {
          const { key, value } = record as { key: string; value: string };
          if (!options.withSecrets && isSecretSetting(key)) continue;
          line = `${JSON.stringify(key)}: ${JSON.stringify(value)}`;
        } else {
          line = JSON.stringify(toFileRecord(section.table, record as never, options.withSecrets));
        }
        chunk += `${written === 0 ? '\n' : ',\n'}${line}`;
        written++;
      }
      await write(chunk);
      options.progress?.(section.name, written);
      if (page.length < pageSize) break;
    }
    counts[section.name] = written;
    await write(`${written === 0 ? '' : '\n'}${isSite ? '}' : ']'}${index === wanted.length - 1 ? '\n' : ',\n'}`);
  }
  await write('}\n');
  return { counts };
}
