import { Parser } from 'htmlparser2';
import { sanitizeCommentHtml } from './comment-markdown.ts';

/**
 * A Note's HTML as a comment: what other servers send is untrusted, so it goes through the
 * comment sanitiser (the tags and attributes a rendered comment may have, links marked
 * `ugc nofollow`), exactly as a reader's rendered Markdown does.
 */

/** What the blog is called in a mention: its user name, and its host for `@user@host`. */
export interface BlogName {
  handle: string;
  host: string;
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const escape = (text: string) => text.replace(/[&<>"]/g, (c) => escapes[c]);

/** Mentions at the start of the first paragraph, as the sanitiser writes them; Friendica puts the "@" before the link. */
const leadingMentions = /^(<p>)?((?:\s*(?:<a href="[^"]*" rel="[^"]*">@[^<]*<\/a>|@<a href="[^"]*" rel="[^"]*">[^<@][^<]*<\/a>))+)\s*/;
const mentionLink = /@?<a href="[^"]*" rel="[^"]*">@?([^<]*)<\/a>/g;

/**
 * The Note's HTML sanitised like a comment, with its content warning (`summary`) as a first
 * paragraph, and without the mention of the blog that replies start with ("@blog Great
 * post!"): on the blog's own page it only repeats whom the reply is to. Other mentions stay.
 */
export function remoteCommentHtml(html: string, summary: string | null, blog: BlogName): string {
  let clean = sanitizeCommentHtml(html);
  const lead = leadingMentions.exec(clean);
  if (lead) {
    const others = [...lead[2].matchAll(mentionLink)].filter((m) => !namesBlog(m[1], blog)).map((m) => m[0]);
    clean = `${lead[1] ?? ''}${others.length ? `${others.join(' ')} ` : ''}${clean.slice(lead[0].length)}`.replace(/^<p>\s*<\/p>\s*/, '');
  }
  const warning = summary?.trim() ? `<p>${escape(`Content warning: ${summary.trim()}`)}</p>` : '';
  return `${warning}${clean}`.trim();
}

function namesBlog(mention: string, blog: BlogName): boolean {
  const [user, host] = mention.trim().toLowerCase().split('@');
  return user === blog.handle.toLowerCase() && (host === undefined || host === blog.host.toLowerCase());
}

/**
 * The same words as text, for the spam filter, the moderation emails and staff edits:
 * paragraphs and line breaks kept, a link as `[text](url)` (a bare address once), and
 * mentions and hashtags — links that only name an account or a tag of the Note — as plain
 * text, so "@ana@social.example" is not counted as a link to somewhere.
 */
export function remoteCommentText(sanitisedHtml: string, tagNames: readonly string[]): string {
  const names = tagNames.map((n) => n.trim().toLowerCase()).filter(Boolean);
  const isTagName = (label: string) => {
    const l = label.toLowerCase();
    return (l.startsWith('@') || l.startsWith('#')) && names.some((n) => n === l || n.startsWith(`${l}@`));
  };
  let out = '';
  let link: { href: string; text: string } | null = null;
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (name === 'br') out += '\n';
        else if (name === 'a') link = { href: attribs.href ?? '', text: '' };
        else if (name === 'li') out += '\n- ';
      },
      ontext(text) {
        if (link) link.text += text;
        else out += text;
      },
      onclosetag(name) {
        if (name === 'a' && link) {
          const label = link.text.trim();
          const shown = link.href.replace(/^https?:\/\//i, '').replace(/\/$/, '');
          if (!link.href || isTagName(label)) out += link.text;
          // A bare address as Mastodon shows it (scheme hidden, long ones cut with "…") is the address once.
          else if (label === link.href || (label.includes('.') && shown.startsWith(label.replace(/…$/, '').replace(/^https?:\/\//i, '').replace(/\/$/, '')))) out += link.href;
          else out += `[${label.replace(/[[\]]/g, '')}](${link.href})`;
          link = null;
        } else if (name === 'p' || name === 'blockquote' || name === 'pre' || name === 'ul' || name === 'ol') out += '\n\n';
      },
    },
    { decodeEntities: true },
  );
  parser.write(sanitisedHtml);
  parser.end();
  return out
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
