import { Hono } from 'hono';
import { DomainError, notFound } from '../../core/errors.ts';
import { MAIL_PRIVATE_MENTIONS_SETTING } from '../../core/fediverse-replies.ts';
import type { PrivateMention } from '../../core/fediverse-reply-store.ts';
import { approvesFollowers, APPROVE_FOLLOWERS_SETTING, FollowingService } from '../../core/following.ts';
import { QUOTE_POLICY_SETTING, quotePolicy } from '../../core/reactions.ts';
import type { AppEnv } from '../context.ts';
import { apiBlockImportInputSchema, apiFediverseSettingsPatchSchema, apiMentionQuerySchema, type apiFediverseSettingsSchema, type apiMentionSchema } from '../openapi-fediverse-settings.ts';
import { limitBody, limitWrites, parseWith, readJson, type ApiContext } from './api-request.ts';
import { iso, pathIdOr404, requireRole } from './api-staff.ts';
import type { z } from 'zod';

const OWNER = ['owner'] as const;
const REFUSAL = 'Only the owner manages the blog’s fediverse account.';

async function settingsOut(c: ApiContext): Promise<z.output<typeof apiFediverseSettingsSchema>> {
  const { store, config } = c.get('deps');
  return {
    handle: `@${config.fediverseHandle}@${new URL(config.siteUrl).host}`,
    approve_followers: await approvesFollowers(store),
    mail_private_mentions: (await store.settings.getAll())[MAIL_PRIVATE_MENTIONS_SETTING] === 'true',
    quote_policy: await quotePolicy(store),
  };
}

async function mentionOut(c: ApiContext, m: PrivateMention): Promise<z.output<typeof apiMentionSchema>> {
  const person = await c.get('deps').store.people.findByIdentity('fediverse', m.actorUri);
  return {
    id: m.id,
    note_id: m.noteId,
    actor_uri: m.actorUri,
    name: m.name,
    handle: m.handle,
    profile_url: m.profileUrl,
    url: m.url,
    visibility: m.visibility,
    in_reply_to: m.inReplyTo,
    post_id: m.postId,
    html: m.html,
    person_id: person?.id ?? null,
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
  };
}

/** The rest of Admin → Fediverse, mounted at /api/fediverse beside api-fediverse.ts; the contract is openapi-fediverse-settings.ts. */
export function apiFediverseSettingsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/settings', async (c) => {
    requireRole(c, 'admin', OWNER, REFUSAL);
    return c.json(await settingsOut(c));
  });

  app.patch('/settings', limitWrites, limitBody, async (c) => {
    requireRole(c, 'admin', OWNER, REFUSAL);
    const input = parseWith(apiFediverseSettingsPatchSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"approve_followers": true}');
    const values: Record<string, string> = {};
    if (input.approve_followers !== undefined) values[APPROVE_FOLLOWERS_SETTING] = String(input.approve_followers);
    if (input.mail_private_mentions !== undefined) values[MAIL_PRIVATE_MENTIONS_SETTING] = String(input.mail_private_mentions);
    if (input.quote_policy !== undefined) values[QUOTE_POLICY_SETTING] = input.quote_policy;
    if (Object.keys(values).length > 0) await c.get('deps').store.settings.set(values);
    return c.json(await settingsOut(c));
  });

  app.get('/mentions', async (c) => {
    requireRole(c, 'read', OWNER, REFUSAL);
    const query = parseWith(apiMentionQuerySchema, c.req.query(), 'query parameters');
    const page = await c.get('deps').store.fediverseReplies.listMentions({ limit: query.per_page, offset: (query.page - 1) * query.per_page });
    return c.json({ mentions: await Promise.all(page.items.map((m) => mentionOut(c, m))), page: query.page, per_page: query.per_page, total: page.total });
  });

  app.delete('/mentions/:id{[0-9]+}', limitWrites, async (c) => {
    requireRole(c, 'moderate', OWNER, REFUSAL);
    if (!(await c.get('deps').store.fediverseReplies.deleteMention(pathIdOr404(c, 'id', 'That private mention')))) throw notFound('That private mention');
    return c.body(null, 204);
  });

  app.post('/blocks/import', limitWrites, limitBody, async (c) => {
    requireRole(c, 'moderate', OWNER, REFUSAL);
    const input = parseWith(apiBlockImportInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"list": "spam.example\\nbad.example"}');
    if (!input.list.trim()) throw new DomainError('validation_failed', 'Send Mastodon’s domain-block export (CSV) or a list of domains.', { list: 'Empty.' });
    const { store, clock } = c.get('deps');
    return c.json(await new FollowingService(store, clock).importDomainBlocks(input.list));
  });

  return app;
}
