import { apiScopes } from '../core/api-scopes.ts';
import { CommandFailure, UsageError, stringOption, type Command } from './command.ts';

const DAY = 24 * 3600 * 1000;

/**
 * `--expires`: never, a number of days (90d), weeks (2w) or years (1y) from now, or a date
 * (2031-12-31, midnight UTC) or date and time with a zone.
 */
export function parseExpiry(value: string, now: number): number | null | undefined {
  const text = value.trim().toLowerCase();
  if (text === 'never') return null;
  const span = /^(\d{1,4})([dwy])$/.exec(text);
  if (span) return now + Number(span[1]) * { d: 1, w: 7, y: 365 }[span[2] as 'd' | 'w' | 'y'] * DAY;
  if (/^\d{4}-\d\d-\d\d$/.test(text)) {
    const at = Date.parse(`${text}T00:00:00Z`);
    return Number.isNaN(at) ? undefined : at;
  }
  if (/^\d{4}-\d\d-\d\dt\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:z|[+-]\d\d:\d\d)$/.test(text)) {
    const at = Date.parse(value.trim());
    return Number.isNaN(at) ? undefined : at;
  }
  return undefined;
}

export const tokenCreateCommand: Command = {
  name: 'token create',
  summary: 'Create a personal access token for the API (shown once)',
  details: [
    'Only the token goes to standard output, so it can be captured: TOKEN=$(npx kumbaya token create …).',
    'It acts as the user it belongs to, with the scopes it is given (never more than the user’s role allows);',
    'send it as "Authorization: Bearer <token>". Revoke it in the admin.',
    `Scopes: ${apiScopes.join(', ')} (admin only for an owner). Left out: every scope the user's role allows.`,
    'Expiry: never (the default), a span from now such as 30d, 2w or 1y, or a date (2031-12-31) or date and time with a zone.',
  ].join('\n'),
  options: {
    email: { type: 'string', value: 'EMAIL', description: 'Email of the user the token acts as', required: true },
    name: { type: 'string', value: 'NAME', description: 'What the token is for, e.g. "publishing script"', required: true },
    scopes: { type: 'string', value: 'SCOPES', description: `What it may do, comma-separated, from ${apiScopes.join(', ')}` },
    expires: { type: 'string', value: 'WHEN', description: 'When it stops working: never, 90d, 2w, 1y or a date' },
  },
  examples: [
    'npx kumbaya token create --email ada@example.com --name "publishing script"',
    'npx kumbaya token create --email ada@example.com --name "inbox bot" --scopes read,moderate --expires 90d',
  ],
  async run(ctx) {
    const email = stringOption(ctx, 'email')!;
    const scopesText = stringOption(ctx, 'scopes');
    const expiresText = stringOption(ctx, 'expires');
    const scopes = scopesText === undefined ? undefined : scopesText.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const expiresAt = expiresText === undefined ? null : parseExpiry(expiresText, Date.now());
    if (expiresAt === undefined) {
      throw new UsageError(`--expires must be never, a span such as 30d, 2w or 1y, or a date such as 2031-12-31 (got "${expiresText}").`, tokenCreateCommand);
    }
    const { deps } = await ctx.open();
    const user = await deps.store.users.findByEmail(email);
    if (!user) throw new CommandFailure(`No user has the email ${email}. See who does with \`npx kumbaya user list\`.`);
    const { secret, token } = await deps.auth.createApiToken(user, stringOption(ctx, 'name')!, { scopes, expiresAt });
    const until = token.expiresAt === null ? 'never expires' : `expires ${new Date(token.expiresAt).toISOString().replace(/:\d\d\.\d+Z$/, 'Z').replace('T', ' ')}`;
    ctx.io.stderr.write(`Created token "${token.name}" for ${user.email} (may ${token.scopes.split(' ').join(', ')}; ${until}). Copy it now; it is not shown again:\n`);
    ctx.io.stdout.write(`${secret}\n`);
  },
};
