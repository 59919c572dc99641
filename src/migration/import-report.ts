/** What an import did, or would do (dry run): counts per kind and every item it left out. */

export type ImportSource = 'wordpress' | 'disqus';

/** Kinds counted in a report. Mentions are pingbacks and trackbacks, stored as received mentions (webmentions table). */
export type ReportKind = 'post' | 'page' | 'comment' | 'mention' | 'user' | 'person' | 'attachment' | 'thread' | 'other';

export interface KindCounts {
  created: number;
  /** Already imported, and changed in the file since: brought up to date. */
  updated: number;
  /** Already imported and the same: left as it is. */
  unchanged: number;
  skipped: number;
}

export interface ReportItem {
  kind: ReportKind;
  /** The item's id in the file (WordPress post or comment id, Disqus dsq:id). */
  id: string;
  /** A title, an address or an author: whatever lets a person find it in the file. */
  label: string;
  reason: string;
}

/** A Disqus thread no post was found for: listed so a person can choose its post. */
export interface UnmatchedThread {
  /** Its dsq:id. */
  id: string;
  link: string;
  title: string;
  /** Its comments in the file, all skipped. */
  comments: number;
}

export interface ImportReport {
  source: ImportSource;
  dryRun: boolean;
  /** WXR version, or 'disqus'. */
  format: string;
  counts: Partial<Record<ReportKind, KindCounts>>;
  /** Every item not imported, with why. */
  skipped: ReportItem[];
  /** Imported, but not exactly as in the file (an orphaned reply placed at the top level…). */
  warnings: ReportItem[];
  /** Media are not copied: attachments stay at their URLs (cover images point there). */
  attachments: Array<{ id: string; title: string; url: string }>;
  /** Disqus threads matched to no post (assign them with `threadMap` / `--map`). */
  unmatchedThreads?: UnmatchedThread[];
  bytes: number;
  durationMs: number;
}

export function emptyReport(source: ImportSource, dryRun: boolean): ImportReport {
  return { source, dryRun, format: source === 'disqus' ? 'disqus' : 'unknown', counts: {}, skipped: [], warnings: [], attachments: [], bytes: 0, durationMs: 0 };
}

export function count(report: ImportReport, kind: ReportKind, outcome: keyof KindCounts): void {
  const counts = (report.counts[kind] ??= { created: 0, updated: 0, unchanged: 0, skipped: 0 });
  counts[outcome]++;
}

export function skip(report: ImportReport, item: ReportItem): void {
  count(report, item.kind, 'skipped');
  report.skipped.push(item);
}

export function warn(report: ImportReport, item: ReportItem): void {
  report.warnings.push(item);
}

const ORDER: ReportKind[] = ['post', 'page', 'comment', 'mention', 'user', 'person', 'thread', 'attachment', 'other'];

/** The kinds a report has counts for, in a stable reading order. */
export function reportKinds(report: ImportReport): ReportKind[] {
  return ORDER.filter((kind) => report.counts[kind]);
}

const plural: Record<ReportKind, string> = {
  post: 'posts', page: 'pages', comment: 'comments', mention: 'mentions (pingbacks, trackbacks)', user: 'authors', person: 'commenters (people)',
  attachment: 'attachments', thread: 'threads', other: 'other items',
};

export function kindLabel(kind: ReportKind): string {
  return plural[kind];
}

/** The report as plain text, for the terminal. */
export function formatReport(report: ImportReport): string {
  const lines: string[] = [];
  const what = report.source === 'wordpress' ? `WordPress export (WXR ${report.format})` : 'Disqus export';
  lines.push(report.dryRun ? `Dry run of ${what}: nothing was changed. It would have done this:` : `Imported ${what}:`);
  const rows = reportKinds(report).map((kind) => {
    const c = report.counts[kind]!;
    return `  ${kindLabel(kind).padEnd(36)} ${String(c.created).padStart(7)} created ${String(c.updated).padStart(7)} updated ${String(c.unchanged).padStart(7)} unchanged ${String(c.skipped).padStart(7)} skipped`;
  });
  lines.push(...(rows.length > 0 ? rows : ['  (nothing found to import)']));
  if (report.attachments.length > 0) {
    lines.push('', `Attachments kept at their addresses (${report.attachments.length}):`);
    for (const a of report.attachments) lines.push(`  #${a.id} ${a.url}${a.title ? ` (${a.title})` : ''}`);
  }
  if (report.warnings.length > 0) {
    lines.push('', `Imported with a change (${report.warnings.length}):`);
    for (const w of report.warnings) lines.push(`  ${w.kind} ${w.id}${w.label ? ` (${w.label})` : ''}: ${w.reason}`);
  }
  if (report.unmatchedThreads?.length) {
    lines.push('', `Threads matched to no post (${report.unmatchedThreads.length}); import their comments with --map THREAD_ID=SLUG,…:`);
    for (const t of report.unmatchedThreads) lines.push(`  ${t.id} ${t.title ? `“${t.title}” ` : ''}${t.link || '(no link)'}: ${t.comments} comment${t.comments === 1 ? '' : 's'}`);
  }
  if (report.skipped.length > 0) {
    lines.push('', `Skipped (${report.skipped.length}):`);
    for (const s of report.skipped) lines.push(`  ${s.kind} ${s.id}${s.label ? ` (${s.label})` : ''}: ${s.reason}`);
  }
  lines.push('', `${(report.bytes / 1024 / 1024).toFixed(1)} MB read in ${(report.durationMs / 1000).toFixed(1)} s.`);
  return `${lines.join('\n')}\n`;
}
