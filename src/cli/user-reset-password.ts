import { utcMinute, type Command } from './command.ts';

export const userResetPasswordCommand: Command = {
  name: 'user reset-password',
  summary: 'Print a one-time link that sets a new password for an account',
  details: [
    'For when no mail can be sent (SMTP_URL unset) or the email is lost. The link works once, for',
    'one hour; setting the password signs the account out everywhere. Nothing is mailed: pass the',
    'link to its owner yourself. (Signed-out people use "Forgot password?" on the sign-in page.)',
  ].join('\n'),
  options: {},
  arguments: [{ name: 'EMAIL', description: 'The email address the account signs in with' }],
  examples: ['npx kumbaya user reset-password ada@example.com'],
  async run({ io, open, args }) {
    const { deps } = await open();
    const { user, url, expiresAt } = await deps.accounts.resetLinkFor(args[0]);
    io.stderr.write(`A password reset link for ${user.name} <${user.email}>, working once until ${utcMinute(expiresAt)}:\n`);
    io.stdout.write(`${url}\n`);
  },
};
