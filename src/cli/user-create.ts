import type { Role } from '../core/store.ts';
import { stringOption, UsageError, type Command } from './command.ts';
import { promptNewPassword, readFirstLine } from './password-prompt.ts';

const roles: readonly Role[] = ['owner', 'author', 'moderator'];

export const userCreateCommand: Command = {
  name: 'user create',
  summary: 'Create a user; the first owner created claims the site',
  details: [
    'Without --password, the password is asked for on a terminal (not shown as you type) or read',
    'from the first line of standard input when it is piped. Passwords on the command line end up',
    'in your shell history; prefer the prompt or a pipe.',
    '',
    'Creating an owner while the site is unclaimed claims it: the setup link stops working.',
  ].join('\n'),
  options: {
    name: { type: 'string', value: 'NAME', description: 'Full name, shown on posts', required: true },
    email: { type: 'string', value: 'EMAIL', description: 'Email address, used to sign in', required: true },
    role: { type: 'string', value: 'ROLE', description: 'owner, author or moderator', required: true, choices: roles },
    password: { type: 'string', value: 'PASSWORD', description: 'At least 10 characters (default: prompt, or first line of stdin)' },
  },
  examples: [
    'npx kumbaya user create --name "Ada Lovelace" --email ada@example.com --role owner',
    'printf "%s\\n" "$PASSWORD" | npx kumbaya user create --name "Grace Hopper" --email grace@example.com --role author',
  ],
  async run(ctx) {
    const { io } = ctx;
    const name = stringOption(ctx, 'name')!;
    const email = stringOption(ctx, 'email')!;
    const role = stringOption(ctx, 'role') as Role;
    let password = stringOption(ctx, 'password');
    if (password === undefined) {
      password = io.stdin.isTTY && io.stdin.setRawMode ? await promptNewPassword(email, io.stdin, io.stderr) : await readFirstLine(io.stdin);
      if (password === '') throw new UsageError('No password given: pass --password, type it at the prompt, or pipe it on standard input.', userCreateCommand);
    }

    const { deps } = await ctx.open();
    const { auth, config } = deps;
    const unclaimed = !(await auth.hasOwner());
    const user = await auth.createUser({ name, email, password }, role);
    io.stdout.write(`Created ${user.role} ${user.name} <${user.email}> (id ${user.id}).\n`);
    if (user.role === 'owner' && unclaimed) {
      io.stdout.write(`The site is now claimed; the setup link no longer works. Sign in at ${config.siteUrl}/login\n`);
    } else {
      io.stdout.write(`They can sign in at ${config.siteUrl}/login\n`);
    }
  },
};
