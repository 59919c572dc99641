import { stringOption, type Command } from './command.ts';
import { writeOutput } from './output-file.ts';
import { personArgument, personIdOf } from './person-argument.ts';

export const peopleExportCommand: Command = {
  name: 'people export',
  summary: 'Write everything the site holds about one person as JSON (docs/export-format.md)',
  details:
    'Their identities, comments with text and status (and earlier versions), webmentions, subscriptions, the mails sent to them (subject and time), the team’s notes, labels and the history of changes: what to send someone who asks what you keep about them. Edit links and unsubscribe links are left out.',
  options: { output: { type: 'string', short: 'o', value: 'FILE', description: 'Write to FILE instead of standard output' } },
  arguments: [personArgument],
  examples: ['npx kumbaya people export 12 --output ada.json', 'npx kumbaya people export 12 > ada.json'],
  async run(ctx) {
    const id = personIdOf(ctx, peopleExportCommand);
    const { deps } = await ctx.open();
    const doc = await deps.personRights.exportOf(id);
    const file = stringOption(ctx, 'output');
    await writeOutput(ctx, file, (write) => write(`${JSON.stringify(doc, null, 2)}\n`));
    ctx.io.stderr.write(`Exported person ${id}: ${doc.comments.length} comment(s), ${doc.identities.length} identit${doc.identities.length === 1 ? 'y' : 'ies'}${file ? ` to ${file}` : ''}.\n`);
  },
};
