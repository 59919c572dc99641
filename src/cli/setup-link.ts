import type { Command } from './command.ts';

export const setupLinkCommand: Command = {
  name: 'setup-link',
  summary: 'Print the one-time link that claims a new site',
  details: 'While nobody owns the site, opening the link creates the owner account. Once an owner exists there is no link.',
  options: {},
  examples: ['npx kumbaya setup-link'],
  async run({ io, open }) {
    const { deps } = await open();
    const token = await deps.auth.pendingSetupToken();
    if (!token) {
      io.stderr.write(`The site is already claimed; there is no setup link. Sign in at ${deps.config.siteUrl}/login, or add people with \`npx kumbaya user create\`.\n`);
      return;
    }
    io.stderr.write('Open this link to create the owner account (it works once):\n');
    io.stdout.write(`${deps.config.siteUrl}/setup/${token}\n`);
  },
};
