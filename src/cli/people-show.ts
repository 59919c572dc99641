import { notFound } from '../core/errors.ts';
import type { Command } from './command.ts';
import { personArgument, personIdOf } from './person-argument.ts';
import { formatTable } from './user-list.ts';

const day = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 10));
const statusWords: Record<string, string> = { approved: 'published', pending: 'held', spam: 'spam', trash: 'in the trash' };

export const peopleShowCommand: Command = {
  name: 'people show',
  summary: 'Show one person: identities, trust, labels and how much passed between you',
  options: {},
  arguments: [personArgument],
  examples: ['npx kumbaya people show 12'],
  async run(ctx) {
    const id = personIdOf(ctx, peopleShowCommand);
    const { deps } = await ctx.open();
    const [summary, data] = await Promise.all([deps.store.people.summary(id), deps.store.people.dataOf(id)]);
    if (!summary || !data) throw notFound(`Person ${id}`);
    const out = ctx.io.stdout;
    const p = data.person;
    out.write(`${p.name || 'Someone'} (person ${p.id})\n`);
    out.write(`First seen ${day(Math.min(p.createdAt, ...data.identities.map((i) => i.firstSeen)))}, last seen ${day(p.lastSeenAt)}. Trust: ${p.trust}${p.trust === 'muted' ? ` until ${day(p.mutedUntil)}` : ''}${p.trustReason ? ` (${p.trustReason})` : ''}. Waiting for you: ${summary.waiting ? 'yes' : 'no'}.\n`);
    out.write('\nIdentities\n');
    out.write(data.identities.length === 0 ? '  none\n' : formatTable(data.identities.map((i) => [`  ${i.kind}`, i.value, i.verified ? 'verified' : 'claimed', `first ${day(i.firstSeen)}`, `last ${day(i.lastSeen)}`])));
    out.write(`\nLabels: ${data.labels.map((l) => l.name).join(', ') || 'none'}\n`);
    const byStatus = new Map<string, number>();
    for (const c of data.comments) byStatus.set(c.status, (byStatus.get(c.status) ?? 0) + 1);
    const statuses = [...byStatus].map(([status, n]) => `${n} ${statusWords[status] ?? status}`).join(', ');
    out.write('\nBetween you\n');
    out.write(
      formatTable([
        ['  comments', `${data.comments.length}${statuses ? ` (${statuses})` : ''}`],
        ['  webmentions', String(data.webmentions.length)],
        ['  subscriptions', String(data.subscriptions.length)],
        ['  mails to them', String(data.mails.length)],
        ['  notes', String(data.notes.length)],
        ['  fediverse follows', String(data.follows.length)],
        ['  posts made from their comments', String(data.postIdeas.length)],
      ]),
    );
  },
};
