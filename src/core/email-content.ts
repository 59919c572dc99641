/**
 * The words of an email, written once as blocks and rendered twice: plain text and a
 * simple HTML version. Every piece of text is escaped in the HTML; nothing is loaded from
 * elsewhere (no remote images, no web fonts), and no script can run.
 */
export type EmailBlock =
  | { type: 'paragraph'; text: string }
  /** Someone's words (a comment), shown as a quotation. */
  | { type: 'quote'; text: string }
  /** A link on a line of its own; the text version prints the address. */
  | { type: 'link'; label: string; url: string }
  /** A row of links (Approve · Spam · Trash). */
  | { type: 'actions'; links: Array<{ label: string; url: string }> };

export interface EmailContent {
  text: string;
  html: string;
}

export interface EmailParts {
  /** The HTML document's title (usually the subject). */
  title: string;
  blocks: EmailBlock[];
  /** Who sends it: the site's title. */
  signature: string;
  /** Why the reader gets it and how to stop it, below the signature. */
  footer?: EmailBlock[];
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c]);
}

/** One line for a header such as Subject: no line breaks or control characters, at most `max` characters. */
export function oneLine(text: string, max = 160): string {
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}

/** At most `max` characters of a longer text, cut at a word where possible. */
export function excerpt(text: string, max: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed;
  const cut = trimmed.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Only http(s) addresses become links; anything else is shown as text. */
const isWebUrl = (url: string) => /^https?:\/\//i.test(url);

function textBlock(block: EmailBlock): string {
  switch (block.type) {
    case 'paragraph':
      return block.text;
    case 'quote':
      return block.text
        .split(/\r?\n/)
        .map((line) => (line ? `> ${line}` : '>'))
        .join('\n');
    case 'link':
      return `${block.label}: ${block.url}`;
    case 'actions':
      return block.links.map((l) => `${l.label}: ${l.url}`).join('\n');
  }
}

const linkStyle = 'color:#1a56db';

function anchor(label: string, url: string): string {
  return isWebUrl(url) ? `<a href="${escapeHtml(url)}" style="${linkStyle}">${escapeHtml(label)}</a>` : escapeHtml(label);
}

function htmlBlock(block: EmailBlock): string {
  switch (block.type) {
    case 'paragraph':
      return `<p style="margin:0 0 16px">${escapeHtml(block.text).replace(/\r?\n/g, '<br>')}</p>`;
    case 'quote':
      return `<blockquote style="margin:0 0 16px;padding:4px 0 4px 12px;border-left:3px solid #c8c8c8;color:#333">${escapeHtml(block.text).replace(/\r?\n/g, '<br>')}</blockquote>`;
    case 'link':
      return `<p style="margin:0 0 16px">${anchor(block.label, block.url)}</p>`;
    case 'actions':
      return `<p style="margin:0 0 16px">${block.links.map((l) => anchor(l.label, l.url)).join(' &nbsp;·&nbsp; ')}</p>`;
  }
}

export function renderEmail(parts: EmailParts): EmailContent {
  const footer = parts.footer ?? [];
  const text = [...parts.blocks.map(textBlock), `— ${parts.signature}`, ...(footer.length > 0 ? ['---', ...footer.map(textBlock)] : [])].join('\n\n') + '\n';
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(parts.title)}</title>
</head>
<body style="margin:0;padding:24px 16px;background:#ffffff;color:#1f1f1f;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5">
<div style="max-width:36em;margin:0 auto">
${parts.blocks.map(htmlBlock).join('\n')}
<p style="margin:0 0 16px">— ${escapeHtml(parts.signature)}</p>
${footer.length > 0 ? `<div style="margin-top:24px;padding-top:12px;border-top:1px solid #e2e2e2;font-size:13px;color:#555">\n${footer.map(htmlBlock).join('\n')}\n</div>` : ''}
</div>
</body>
</html>
`;
  return { text, html };
}
