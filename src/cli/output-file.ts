import fs from 'node:fs';
import type { CommandContext } from './command.ts';
import { textSink } from '../migration/export-format.ts';

/**
 * Runs `work` with a writer to --output FILE (written as FILE.partial and renamed when
 * complete, so a failure never leaves half a file behind) or to standard output.
 */
export async function writeOutput<T>(ctx: CommandContext, file: string | undefined, work: (write: (text: string) => Promise<void>) => Promise<T>): Promise<T> {
  if (!file) return work(textSink(ctx.io.stdout));
  const partial = `${file}.partial`;
  const stream = fs.createWriteStream(partial);
  try {
    const result = await work(textSink(stream));
    await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
    fs.renameSync(partial, file);
    return result;
  } catch (error) {
    stream.destroy();
    fs.rmSync(partial, { force: true });
    throw error;
  }
}

/** "kumbaya 0.1.0" */
export function generator(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `kumbaya ${pkg.version}`;
}

/** Counts per section on one line: "users 2, posts 5, comments 7". */
export function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name === 'site' ? 'settings' : name.replace(/_/g, ' ')} ${n}`)
    .join(', ');
}

/** On a terminal, one line on stderr rewritten as records go by ("Importing comments: 45000"); elsewhere nothing. */
export function progressLine(ctx: CommandContext, verb: string): { update?: (section: string, count: number) => void; done: () => void } {
  if (!(ctx.io.stderr as { isTTY?: boolean }).isTTY) return { done: () => {} };
  return {
    update: (section, count) => ctx.io.stderr.write(`\r${verb} ${section === 'site' ? 'settings' : section.replace(/_/g, ' ')}: ${count}\u001b[K`),
    done: () => ctx.io.stderr.write('\r\u001b[K'),
  };
}

/** After a restore from a JSON export: mentions the old site had not verified yet are queued again (docs/export-format.md). */
export function mentionsNote(mentionsToVerify: number): string {
  return mentionsToVerify > 0 ? `${mentionsToVerify} received webmention(s) were still being verified: they are checked again once the server runs.\n` : '';
}
