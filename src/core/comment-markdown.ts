import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

// Commenters get a subset: emphasis, links, code, quotes and lists. No raw HTML, no images, no headings.
const md = new MarkdownIt('zero', { html: false, linkify: true, breaks: true, typographer: false })
  .enable(['emphasis', 'link', 'linkify', 'autolink', 'backticks', 'fence', 'code', 'blockquote', 'list', 'newline', 'escape', 'entity', 'strikethrough']);

const commentPolicy: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'em', 'strong', 's', 'a', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li'],
  allowedAttributes: { a: ['href', 'rel'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { href: attribs.href ?? '', rel: 'ugc nofollow noopener' } }),
  },
};

/**
 * Renders a comment's Markdown subset to sanitised HTML; links carry rel="ugc nofollow".
 * markdown-it writes no raw HTML of the commenter's, and the sanitiser checks it all the
 * same, but most comments come out as plain paragraphs, which `sanitizeCommentHtml` answers
 * without parsing (a third of a comment's rendering on the posting path).
 */
export function renderCommentMarkdown(markdown: string): string {
  return sanitizeCommentHtml(md.render(markdown));
}

/** markdown-it's HTML for a comment, before the sanitiser (for the fast path's test). */
export function commentMarkdownUnsanitised(markdown: string): string {
  return md.render(markdown);
}

/**
 * Paragraphs of plain text (what an import's wpautop makes of most comments): only `<p>`,
 * `</p>` and `<br>` tags, and text with no `<`, `>`, `&`, `"` or NUL, so nothing in it can
 * open a tag, an attribute or an entity. The sanitiser would keep every byte of it but
 * write `<br>` as `<br />`.
 */
const PLAIN_PARAGRAPHS = /^(?:<p>(?:[^<>&"\u0000]|<br>)*<\/p>\n?)*$/;

/** Sanitises HTML written elsewhere (an imported comment) exactly as rendered comments are. */
export function sanitizeCommentHtml(html: string): string {
  // The same answer as the sanitiser's without parsing (an import sanitises 100,000s of comments).
  if (PLAIN_PARAGRAPHS.test(html)) return html.replaceAll('<br>', '<br />').trim();
  return sanitizeHtml(html, commentPolicy).trim();
}
