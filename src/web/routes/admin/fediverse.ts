import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Follower } from '../../../core/federation-store.ts';
import { approvesFollowers, APPROVE_FOLLOWERS_SETTING, FollowingError, FollowingService, type DomainBlockImport } from '../../../core/following.ts';
import { MAIL_PRIVATE_MENTIONS_SETTING } from '../../../core/fediverse-replies.ts';
import { notFound } from '../../../core/errors.ts';
import { QUOTE_POLICY_SETTING, quotePolicy } from '../../../core/reactions.ts';
import type { AppEnv } from '../../context.ts';
import { fediverseView } from '../../views/admin/fediverse-view.ts';
import { deliveriesState, deliveryRoutes } from './fediverse-deliveries.ts';
import { allowRoles, formFields, idParam, redirectWithNotice } from './admin-request.ts';

const PATH = '/admin/fediverse';
/** A domain-block list is a few thousand lines at most. */
const MAX_BLOCK_FILE = 1024 * 1024;
/** The newest private mentions shown; older ones stay until deleted. */
const MENTIONS_SHOWN = 50;

async function render(c: Context<AppEnv>, extra: { imported?: DomainBlockImport; error?: string } = {}, status: ContentfulStatusCode = 200) {
  const { store, config } = c.get('deps');
  const withPerson = (followers: Follower[]) => Promise.all(followers.map(async (follower) => ({ follower, person: await store.people.findByIdentity('fediverse', follower.actorUri) })));
  const host = new URL(config.siteUrl).host;
  const settings = await store.settings.getAll();
  const mentionPage = await store.fediverseReplies.listMentions({ limit: MENTIONS_SHOWN, offset: 0 });
  const mentions = await Promise.all(
    mentionPage.items.map(async (mention) => ({
      mention,
      person: await store.people.findByIdentity('fediverse', mention.actorUri),
      post: mention.postId === null ? null : await store.posts.findById(mention.postId),
    })),
  );
  const state = {
    handle: `@${config.fediverseHandle}@${host}`,
    profileUrl: `${config.siteUrl}/@${config.fediverseHandle}`,
    approveFollowers: await approvesFollowers(store),
    quotePolicy: await quotePolicy(store),
    pending: await withPerson(await store.followers.listByStatus('pending')),
    followers: await withPerson(await store.followers.listByStatus('accepted')),
    blocks: await store.fediverseBlocks.list(),
    mentions,
    mentionsTotal: mentionPage.total,
    mailMentions: settings[MAIL_PRIVATE_MENTIONS_SETTING] === 'true',
    deliveries: await deliveriesState(c),
    ...extra,
  };
  return c.html(fediverseView(c, state).value, status);
}

/**
 * Admin → Fediverse (owner): followers and follow requests, blocks, the approval setting.
 * Rules are FollowingService's; accepting or rejecting also sends the answer (Fedify is
 * loaded then, never for showing the page).
 */
export function fediverseRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', allowRoles(['owner'], 'Only the owner manages the blog’s fediverse account.'));
  const service = (c: Context<AppEnv>) => new FollowingService(c.get('deps').store, c.get('deps').clock);
  const answer = async (c: Context<AppEnv>, follower: Follower, kind: 'accept' | 'reject') => {
    const fediverse = c.get('deps').fediverse;
    if (fediverse) await fediverse.answerFollow(follower, kind);
  };
  /** Runs an action; a FollowingError is shown on the page with its status. */
  const act = async (c: Context<AppEnv>, work: () => Promise<Response>) => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof FollowingError) return render(c, { error: error.message }, error.status);
      throw error;
    }
  };

  app.get('/', (c) => render(c));

  app.route('/deliveries', deliveryRoutes((c, error) => render(c, { error }, 404)));

  app.post('/approval', async (c) => {
    const form = await formFields(c);
    await c.get('deps').store.settings.set({ [APPROVE_FOLLOWERS_SETTING]: form.approve === 'true' ? 'true' : 'false' });
    return redirectWithNotice(c, PATH, 'saved');
  });

  app.post('/mail-mentions', async (c) => {
    const form = await formFields(c);
    await c.get('deps').store.settings.set({ [MAIL_PRIVATE_MENTIONS_SETTING]: form.mail === 'true' ? 'true' : 'false' });
    return redirectWithNotice(c, PATH, 'saved');
  });

  app.post('/mentions/:id{[0-9]+}/delete', async (c) => {
    if (!(await c.get('deps').store.fediverseReplies.deleteMention(idParam(c)))) throw notFound('That private mention');
    return redirectWithNotice(c, PATH, 'private-mention-deleted');
  });
  app.post('/quotes', (c) =>
    act(c, async () => {
      const answer = (await formFields(c)).quotes;
      if (answer !== 'accept' && answer !== 'refuse') throw new FollowingError('Choose whether quote requests are accepted or refused.', 422);
      await c.get('deps').store.settings.set({ [QUOTE_POLICY_SETTING]: answer });
      return redirectWithNotice(c, PATH, 'saved');
    }),
  );

  app.post('/accept', (c) =>
    act(c, async () => {
      const follower = await service(c).accept((await formFields(c)).actor ?? '');
      await answer(c, follower, 'accept');
      return redirectWithNotice(c, PATH, 'follower-accepted');
    }),
  );

  app.post('/reject', (c) =>
    act(c, async () => {
      const follower = await service(c).remove((await formFields(c)).actor ?? '');
      await answer(c, follower, 'reject');
      return redirectWithNotice(c, PATH, 'follower-rejected');
    }),
  );

  app.post('/remove', (c) =>
    act(c, async () => {
      const follower = await service(c).remove((await formFields(c)).actor ?? '');
      // Mastodon drops the follow when it receives a Reject of it.
      await answer(c, follower, 'reject');
      return redirectWithNotice(c, PATH, 'follower-removed');
    }),
  );

  app.post('/block', (c) =>
    act(c, async () => {
      await service(c).blockActor((await formFields(c)).actor ?? '');
      return redirectWithNotice(c, PATH, 'fediverse-blocked');
    }),
  );

  app.post('/block-domain', (c) =>
    act(c, async () => {
      await service(c).blockDomain((await formFields(c)).domain ?? '');
      return redirectWithNotice(c, PATH, 'fediverse-blocked');
    }),
  );

  app.post('/blocks/:id{[0-9]+}/delete', (c) =>
    act(c, async () => {
      await service(c).unblock(idParam(c));
      return redirectWithNotice(c, PATH, 'fediverse-unblocked');
    }),
  );

  app.post('/import-blocks', (c) =>
    act(c, async () => {
      const body = await c.req.parseBody();
      const file = body.file;
      if (!(file instanceof File) || file.size === 0) throw new FollowingError('Choose a file: Mastodon’s domain-block export (CSV) or a list of domains.', 422);
      if (file.size > MAX_BLOCK_FILE) throw new FollowingError('The file is larger than 1 MB: a domain-block list is much smaller.', 422);
      const imported = await service(c).importDomainBlocks(await file.text());
      return render(c, { imported });
    }),
  );

  return app;
}
