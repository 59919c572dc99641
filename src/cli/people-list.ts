import { toId } from '../core/ids.ts';
import { trustStates, type PeopleCursor, type Trust } from '../core/people.ts';
import { stringOption, UsageError, type Command } from './command.ts';
import { formatTable } from './user-list.ts';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** "<lastSeenAt>.<id>", as `people list` prints it for the next page. */
function cursorOption(value: string | undefined): PeopleCursor | null {
  if (value === undefined) return null;
  const m = /^(\d{1,15})\.(\d{1,10})$/.exec(value);
  if (!m) throw new UsageError(`--after takes the value printed under the last page (like 1717171717000.42), not "${value}".`, peopleListCommand);
  return { lastSeenAt: Number(m[1]), id: Number(m[2]) };
}

export const peopleListCommand: Command = {
  name: 'people list',
  summary: 'List people, most recently seen first, with search and paging',
  details: 'Everyone who commented, mentioned a post or subscribed (Admin → People). A longer list ends with the --after value that shows the next page.',
  options: {
    search: { type: 'string', short: 'q', value: 'TEXT', description: 'Only people whose name, email, website or handle contains TEXT' },
    trust: { type: 'string', value: 'TRUST', description: `Only people with this trust: ${trustStates.join(', ')}`, choices: trustStates },
    limit: { type: 'string', value: 'N', description: 'How many to list (1–500, default 50)' },
    after: { type: 'string', value: 'CURSOR', description: 'Start after this point (printed at the end of the previous page)' },
  },
  examples: ['npx kumbaya people list --search ada', 'npx kumbaya people list --trust blocked --limit 100'],
  async run(ctx) {
    const limitText = stringOption(ctx, 'limit') ?? '50';
    const limit = toId(limitText);
    if (limit === null || limit > 500) throw new UsageError(`--limit must be a whole number from 1 to 500 (got "${limitText}").`, peopleListCommand);
    const after = cursorOption(stringOption(ctx, 'after'));
    const { deps } = await ctx.open();
    const page = await deps.store.people.list({ text: stringOption(ctx, 'search') || undefined, trust: stringOption(ctx, 'trust') as Trust | undefined, limit, after });
    if (page.items.length === 0) {
      const filtered = stringOption(ctx, 'search') || stringOption(ctx, 'trust');
      ctx.io.stderr.write(after ? 'No more people.\n' : filtered ? 'Nobody matches.\n' : 'Nobody yet: people appear when they comment, mention a post or subscribe.\n');
      return;
    }
    const rows = page.items.map((s) => {
      const ids = s.identities.map((i) => i.value);
      return [String(s.person.id), s.person.name || 'Someone', ids.length > 2 ? `${ids.slice(0, 2).join(', ')} +${ids.length - 2}` : ids.join(', ') || '-', day(s.lastSeenAt), s.trust.trust, s.waiting ? 'yes' : 'no'];
    });
    ctx.io.stdout.write(formatTable([['ID', 'NAME', 'IDENTITIES', 'LAST SEEN', 'TRUST', 'WAITING'], ...rows]));
    if (page.next) ctx.io.stderr.write(`More: npx kumbaya people list --after ${page.next.lastSeenAt}.${page.next.id}\n`);
  },
};
