import type { Context } from 'hono';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField, notice } from '../forms.ts';

/**
 * Messages shown after an action redirects (?notice=key). Only known keys are shown, so
 * a crafted link cannot put words on the page.
 */
const messages: Record<string, string> = {
  created: 'Draft saved. Keep writing, or publish when it is ready.',
  saved: 'Saved.',
  published: 'Published: it is live now.',
  scheduled: 'Scheduled: it goes live at the time you set.',
  unpublished: 'Unpublished: it is a draft again and no longer public.',
  restored: 'Restored from the trash, as it was.',
  duplicated: 'A copy, saved as a draft. Change what you like, then publish it.',
  purged: 'Deleted forever.',
  uploaded: 'Uploaded. Copy its Markdown below into a post.',
  'upload-described': 'Saved. Pages show the new caption now.',
  'upload-deleted': 'Image deleted, with its smaller copies.',
  'tag-renamed': 'Tag saved. Its posts now show the new name.',
  'tag-deleted': 'Tag deleted and removed from its posts.',
  'settings-saved': 'Settings saved. The site shows them now.',
  'icon-saved': 'The new icon is uploaded to the media library and is the site’s icon now.',
  'role-changed': 'Role changed.',
  'user-removed': 'User removed. Their posts and pages now belong to you.',
  'follower-accepted': 'Accepted: they follow the blog now, and their server is told.',
  'follower-rejected': 'Rejected: their server is told.',
  'follower-removed': 'Removed: they no longer follow the blog.',
  'fediverse-blocked': 'Blocked: their activities are refused and their follows removed.',
  'fediverse-unblocked': 'Unblocked.',
  'private-mention-deleted': 'Deleted from the list. It stays wherever its writer keeps it.',
  'delivery-retried': 'Back in the queue: it is sent again now, after any earlier activity of the same post to that server.',
  'deliveries-retried': 'Every failed delivery is being tried again now.',
  'deliveries-none-failed': 'No failed delivery was waiting.',
  'token-revoked': 'Token revoked. Scripts using it can no longer sign in with it.',
  'profile-saved': 'Profile saved.',
  'mail-retried': 'Back in the queue: it goes out with the next round of mail.',
  'mail-preference-saved': 'Saved. New comments reach you the way you chose.',
  'webmentions-queued': 'Queued: every link of the post is notified again shortly.',
  'job-retried': 'Back in the queue: it runs again shortly.',
  'webmentions-none': 'This post has no links to other sites to notify.',
  joined: 'Welcome! Your account is ready. Change your name, profile address and bio in your profile.',
  invited: 'Invitation sent. It works for seven days; they choose their own name and password.',
  'invite-resent': 'Invitation sent again with a new link; the old link no longer works.',
  'invite-revoked': 'Invitation revoked: its link no longer works.',
  'revision-restored': 'Revision restored: it is the text now, saved as a new revision. The status did not change.',
  'autosave-discarded': 'Autosave discarded. This is the saved version.',
  merged: 'Merged: everything of theirs is on this page now. You can undo it for 30 days.',
  split: 'Merge undone: they are separate people again, each with what was theirs.',
  'post-idea': 'A draft made from the comment: the quote, their name and a link to the comment are in the text. Write what it made you think.',
  told: 'It is live, and they are told by email: one message, to the address they gave.',
  forgotten: 'Forgotten: what named them is erased. The audit line below records it, without their data.',
  'lookup-queued': 'Looking at their website again in the background. Reload in a moment to see what it says.',
  'site-added': 'Site added: paste the snippet below into its page template, and its pages show comments.',
  'site-removed': 'Site removed: its pages no longer show comments. Their conversations stay here.',
  'thread-saved': 'Saved: the page’s comments show it now.',
  'password-changed': 'Password changed. You stay signed in here; every other device was signed out.',
};

/** The notice named by the query string, if any. */
export function noticeFromQuery(c: Context<AppEnv>): SafeHtml | '' {
  if (c.req.query('welcome') === '1') return notice('ok', 'Your site is claimed. Write your first post, or edit the demo post.');
  const key = c.req.query('notice');
  if (!key) return '';
  if (key === 'trashed') {
    const id = c.req.query('id');
    const session = c.get('session');
    if (id && /^[0-9]+$/.test(id) && session) {
      return html`<div class="notice ok notice-with-action" role="status">
  <span>Moved to the trash.</span>
  <form method="post" action="/admin/posts/${id}/restore">${csrfField(session.csrfToken)}<button type="submit" class="link-button">Undo</button></form>
</div>`;
    }
    return notice('ok', 'Moved to the trash.');
  }
  const text = messages[key];
  return text ? notice('ok', text) : '';
}
