import readline from 'node:readline';
import { auditLine, forgetChoices, staffPersonError, type ForgetChoice } from '../core/person-rights.ts';
import { CommandFailure, stringOption, type Command } from './command.ts';
import { personArgument, personIdOf } from './person-argument.ts';

/** One line typed at a terminal (shown as typed). */
async function ask(question: string, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<string> {
  const lines = readline.createInterface({ input, output, terminal: false });
  try {
    output.write(question);
    for await (const line of lines) return line.trim();
    return '';
  } finally {
    lines.close();
  }
}

export const peopleForgetCommand: Command = {
  name: 'people forget',
  summary: 'Forget a person: erase what identifies them, keep or trash their comments',
  details: [
    'Erases their identities, notes, label links, subscriptions, the mails to them, the follows of their',
    'fediverse accounts and the person itself, in one transaction. Their comments are kept as “Someone”',
    'without email, website, IP address, browser or earlier versions (--comments anonymise), or moved to',
    'the trash as well (--comments trash). An audit line without their data records it (Admin → People →',
    'Forgotten). A team member’s person is refused. It cannot be undone.',
    '',
    'Asks to confirm on a terminal; give --yes when running it from a script. On SQLite, pages the running',
    'server has cached may show their name until the next change on the site (on PostgreSQL every',
    'instance is told at once).',
  ].join('\n'),
  options: {
    comments: { type: 'string', value: 'WHAT', description: 'anonymise (keep the text, as “Someone”) or trash', required: true, choices: forgetChoices },
    yes: { type: 'boolean', short: 'y', description: 'Do not ask to confirm' },
  },
  arguments: [personArgument],
  examples: ['npx kumbaya people forget 12 --comments anonymise', 'npx kumbaya people forget 12 --comments trash --yes'],
  async run(ctx) {
    const id = personIdOf(ctx, peopleForgetCommand);
    const choice = stringOption(ctx, 'comments') as ForgetChoice;
    const { deps } = await ctx.open();
    const { io } = ctx;
    if (ctx.options.yes !== true) {
      const preview = await deps.personRights.preview(id);
      if (preview.staff) throw staffPersonError(preview.staff);
      const name = preview.data.person.name || 'Someone';
      io.stderr.write(
        `This forgets ${name} (person ${id}): ${preview.data.identities.length} identities, ${preview.data.notes.length} notes, ${preview.data.subscriptions.length} subscriptions and ${preview.data.mails.length} mails are erased; ` +
          `their ${preview.data.comments.length} comment(s) are ${choice === 'trash' ? 'moved to the trash without their name' : 'kept as “Someone”'}. It cannot be undone.\n`,
      );
      if (!io.stdin.isTTY) throw new CommandFailure('Nothing was changed: add --yes to forget them (standard input is not a terminal to ask on).');
      const answer = await ask('Type yes to forget them: ', io.stdin, io.stderr);
      if (answer.toLowerCase() !== 'yes') throw new CommandFailure('Nothing was changed.');
    }
    const outcome = await deps.personRights.forget(id, choice, null);
    io.stdout.write(`${auditLine(outcome.audit, null)}\n`);
  },
};
