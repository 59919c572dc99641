import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultCommentSettings, commentsOpen, type CommentSettings } from './comment-settings.ts';
import { decideModeration, type SpamEvidence } from './moderation-policy.ts';

const clean: SpamEvidence = {
  honeypotFilled: false,
  formToken: { ok: true },
  linkCount: 0,
  disallowedWords: [],
  filterScore: 0.01,
  akismet: 'off',
  knownPerson: true,
};
const settings = (overrides: Partial<CommentSettings> = {}): CommentSettings => ({ ...defaultCommentSettings, ...overrides });

describe('decideModeration', () => {
  it('approves a known person’s ordinary comment', () => {
    assert.deepEqual(decideModeration(clean, settings()), { status: 'approved', reasons: [] });
  });

  it('holds a first comment, and approves it when that setting is off', () => {
    assert.deepEqual(decideModeration({ ...clean, knownPerson: false }, settings()), { status: 'pending', reasons: ['first comment from this person'] });
    assert.equal(decideModeration({ ...clean, knownPerson: false }, settings({ holdFirstComment: false })).status, 'approved');
  });

  it('holds everything when asked to', () => {
    assert.deepEqual(decideModeration(clean, settings({ holdAll: true })).reasons, ['every comment is held for review (setting)']);
  });

  it('holds comments with more links than allowed, saying how many', () => {
    assert.deepEqual(decideModeration({ ...clean, linkCount: 4 }, settings({ maxLinks: 2 })), { status: 'pending', reasons: ['4 links'] });
    assert.equal(decideModeration({ ...clean, linkCount: 2 }, settings({ maxLinks: 2 })).status, 'approved');
  });

  it('sends the honeypot and a forged or missing token to spam with their reasons', () => {
    assert.deepEqual(decideModeration({ ...clean, honeypotFilled: true }, settings()), { status: 'spam', reasons: ['honeypot field was filled in'] });
    assert.equal(decideModeration({ ...clean, formToken: { ok: false, reason: 'invalid' } }, settings()).status, 'spam');
    assert.deepEqual(decideModeration({ ...clean, formToken: { ok: false, reason: 'missing' } }, settings()), { status: 'spam', reasons: ['no form token'] });
  });

  it('holds a comment that fails only the minimum time, saying how fast it came', () => {
    const quick = decideModeration({ ...clean, formToken: { ok: false, reason: 'too-fast', seconds: 1.2 } }, settings());
    assert.deepEqual(quick, { status: 'pending', reasons: ['submitted 1.2 s after the form was served (minimum 3 s)'] });
    // A first comment that came fast is held with both reasons, not filed as spam.
    const firstQuick = decideModeration({ ...clean, knownPerson: false, formToken: { ok: false, reason: 'too-fast', seconds: 0.4 } }, settings());
    assert.deepEqual(firstQuick, { status: 'pending', reasons: ['submitted 0.4 s after the form was served (minimum 3 s)', 'first comment from this person'] });
  });

  it('sends a too-fast comment to spam only together with another sign of spam', () => {
    const fast = { ok: false, reason: 'too-fast', seconds: 0.8 } as const;
    assert.deepEqual(decideModeration({ ...clean, formToken: fast, linkCount: 5 }, settings({ maxLinks: 2 })), {
      status: 'spam',
      reasons: ['submitted 0.8 s after the form was served (minimum 3 s)', '5 links'],
    });
    assert.deepEqual(decideModeration({ ...clean, formToken: fast, filterScore: 0.7 }, settings()), {
      status: 'spam',
      reasons: ['submitted 0.8 s after the form was served (minimum 3 s)', 'filter score 0.70'],
    });
    // Each of those signs alone only holds it.
    assert.equal(decideModeration({ ...clean, linkCount: 5 }, settings({ maxLinks: 2 })).status, 'pending');
    assert.equal(decideModeration({ ...clean, filterScore: 0.7 }, settings()).status, 'pending');
  });

  it('holds rather than discards a comment whose form simply expired', () => {
    assert.deepEqual(decideModeration({ ...clean, formToken: { ok: false, reason: 'expired' } }, settings()), { status: 'pending', reasons: ['the form was older than a day'] });
  });

  it('treats disallowed words as the setting says', () => {
    const evidence = { ...clean, disallowedWords: ['casino'] };
    assert.deepEqual(decideModeration(evidence, settings({ disallowedAction: 'hold' })), { status: 'pending', reasons: ['disallowed word: casino'] });
    assert.equal(decideModeration(evidence, settings({ disallowedAction: 'spam' })).status, 'spam');
  });

  it('uses the filter score: spam at 0.9, held at 0.5', () => {
    assert.deepEqual(decideModeration({ ...clean, filterScore: 0.97 }, settings()), { status: 'spam', reasons: ['filter score 0.97'] });
    assert.deepEqual(decideModeration({ ...clean, filterScore: 0.6 }, settings()), { status: 'pending', reasons: ['filter score 0.60'] });
  });

  it('lists every reason, spam signals first', () => {
    const d = decideModeration({ ...clean, akismet: 'spam', linkCount: 5, knownPerson: false }, settings());
    assert.deepEqual(d, { status: 'spam', reasons: ['Akismet says spam', '5 links', 'first comment from this person'] });
  });
});

describe('commentsOpen', () => {
  const day = 86_400_000;
  const now = 1_000 * day;
  const post = { commentsMode: 'inherit' as const, commentsCloseDays: null, publishedAt: now - 10 * day, status: 'published' as const, deletedAt: null };

  it('follows the site unless the post says otherwise', () => {
    assert.deepEqual(commentsOpen(post, settings(), now), { open: true });
    assert.deepEqual(commentsOpen(post, settings({ open: false }), now), { open: false, reason: 'closed-on-site' });
    assert.deepEqual(commentsOpen({ ...post, commentsMode: 'open' }, settings({ open: false }), now), { open: true });
    assert.deepEqual(commentsOpen({ ...post, commentsMode: 'closed' }, settings(), now), { open: false, reason: 'closed-on-post' });
  });

  it('closes after N days, from the site or the post', () => {
    assert.deepEqual(commentsOpen(post, settings({ closeAfterDays: 7 }), now), { open: false, reason: 'closed-after-days' });
    assert.deepEqual(commentsOpen(post, settings({ closeAfterDays: 30 }), now), { open: true });
    assert.deepEqual(commentsOpen({ ...post, commentsCloseDays: 5 }, settings(), now), { open: false, reason: 'closed-after-days' });
  });

  it('is closed on drafts and scheduled posts', () => {
    assert.deepEqual(commentsOpen({ ...post, status: 'draft' as never }, settings(), now), { open: false, reason: 'not-published' });
  });
});

describe('decideModeration with the author\'s trust in the person', () => {
  const trust = (state: 'trusted' | 'normal' | 'hold' | 'muted' | 'blocked', proven = false, reason: string | null = null, mutedUntil: number | null = null) => ({
    trust: { state: { trust: state, reason, mutedUntil }, proven },
  });

  it('holds an always-held person\'s comment, saying the author asked for it', () => {
    assert.deepEqual(decideModeration({ ...clean, ...trust('hold') }, settings()), { status: 'pending', reasons: ["you asked to hold this person's comments"] });
    assert.deepEqual(decideModeration({ ...clean, ...trust('hold', false, 'check the links') }, settings()).reasons, ["you asked to hold this person's comments: check the links"]);
  });

  it('holds a muted person\'s comment with the reason and the day the mute ends', () => {
    const until = Date.UTC(2026, 11, 24);
    assert.deepEqual(decideModeration({ ...clean, ...trust('muted', false, 'heated thread', until) }, settings()), { status: 'pending', reasons: ['muted until 2026-12-24: heated thread'] });
  });

  it('keeps a blocked person\'s comment, held with the reason "blocked"; spam stays spam', () => {
    assert.deepEqual(decideModeration({ ...clean, ...trust('blocked') }, settings()), { status: 'pending', reasons: ['blocked'] });
    assert.deepEqual(decideModeration({ ...clean, honeypotFilled: true, ...trust('blocked') }, settings()), { status: 'spam', reasons: ['honeypot field was filled in', 'blocked'] });
  });

  it('approves a trusted person proven by the channel past every hold, but not past a strong spam signal', () => {
    const heldOtherwise = { ...clean, knownPerson: false, linkCount: 9, ...trust('trusted', true) };
    assert.deepEqual(decideModeration(heldOtherwise, settings({ holdAll: true, maxLinks: 2 })), { status: 'approved', reasons: [] });
    assert.equal(decideModeration({ ...heldOtherwise, honeypotFilled: true }, settings()).status, 'spam');
    assert.equal(decideModeration({ ...heldOtherwise, akismet: 'spam' }, settings()).status, 'spam');
  });

  it('gives an unproven claim to a trusted person no more than a known person gets', () => {
    const claimed = { ...clean, knownPerson: false, ...trust('trusted', false) };
    assert.deepEqual(decideModeration(claimed, settings()), { status: 'approved', reasons: [] }, 'past the first-comment hold, like a known person');
    assert.deepEqual(decideModeration(claimed, settings({ holdAll: true })), { status: 'pending', reasons: ['every comment is held for review (setting)'] });
    assert.equal(decideModeration({ ...claimed, linkCount: 9 }, settings({ maxLinks: 2 })).status, 'pending');
  });
});
