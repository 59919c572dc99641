import type { Command } from './command.ts';

/** Left-aligned columns separated by two spaces. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ')).join('\n') + '\n';
}

export const userListCommand: Command = {
  name: 'user list',
  summary: 'List every user with id, role, name and email',
  options: {},
  examples: ['npx kumbaya user list'],
  async run({ io, open }) {
    const { deps } = await open();
    const users = await deps.store.users.list();
    if (users.length === 0) {
      io.stderr.write('No users yet. Create the owner with `npx kumbaya user create --role owner …`, or open the setup link (`npx kumbaya setup-link`).\n');
      return;
    }
    const rows = users.map((u) => [String(u.id), u.role, u.name, u.email, u.slug, new Date(u.createdAt).toISOString().slice(0, 10)]);
    io.stdout.write(formatTable([['ID', 'ROLE', 'NAME', 'EMAIL', 'SLUG', 'CREATED'], ...rows]));
  },
};
