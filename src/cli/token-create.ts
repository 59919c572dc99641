import { CommandFailure, stringOption, type Command } from './command.ts';

export const tokenCreateCommand: Command = {
  name: 'token create',
  summary: 'Create a personal access token for the API (shown once)',
  details: [
    'Only the token goes to standard output, so it can be captured: TOKEN=$(npx kumbaya token create …).',
    'It acts as the user it belongs to; send it as "Authorization: Bearer <token>". Revoke it in the admin.',
  ].join('\n'),
  options: {
    email: { type: 'string', value: 'EMAIL', description: 'Email of the user the token acts as', required: true },
    name: { type: 'string', value: 'NAME', description: 'What the token is for, e.g. "publishing script"', required: true },
  },
  examples: ['npx kumbaya token create --email ada@example.com --name "publishing script"'],
  async run(ctx) {
    const email = stringOption(ctx, 'email')!;
    const { deps } = await ctx.open();
    const user = await deps.store.users.findByEmail(email);
    if (!user) throw new CommandFailure(`No user has the email ${email}. See who does with \`npx kumbaya user list\`.`);
    const { secret, token } = await deps.auth.createApiToken(user, stringOption(ctx, 'name')!);
    ctx.io.stderr.write(`Created token "${token.name}" for ${user.email}. Copy it now; it is not shown again:\n`);
    ctx.io.stdout.write(`${secret}\n`);
  },
};
