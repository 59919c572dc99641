import type { Role } from '../core/store.ts';
import { stringOption, utcMinute, type Command } from './command.ts';

const roles: readonly Role[] = ['owner', 'author', 'moderator'];

export const userInviteCommand: Command = {
  name: 'user invite',
  summary: 'Invite someone to the staff by email, and print the invitation link',
  details: [
    'The invitation email goes through the outbox (sent when SMTP_URL is set); the link is printed',
    'too, so you can pass it on yourself. It works once, for seven days: the invitee chooses their',
    'own name and password. Inviting the same address again replaces the earlier link.',
  ].join('\n'),
  options: {
    role: { type: 'string', value: 'ROLE', description: 'owner, author or moderator', required: true, choices: roles },
  },
  arguments: [{ name: 'EMAIL', description: 'Where to send the invitation' }],
  examples: ['npx kumbaya user invite grace@example.com --role author'],
  async run(ctx) {
    const { io, args } = ctx;
    const { deps } = await ctx.open();
    const { invitation, url } = await deps.accounts.invite(null, { email: args[0], role: stringOption(ctx, 'role')! }, 'command-line');
    io.stderr.write(`Invited ${invitation.email} as ${invitation.role}${deps.config.smtpUrl ? '' : ' (SMTP_URL is unset: the email waits in the outbox)'}. The link works once, until ${utcMinute(invitation.expiresAt)}:\n`);
    io.stdout.write(`${url}\n`);
  },
};
