const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' };

/**
 * Elements that are words of their own: a tag of these separates what is on either side.
 * Any other tag (em, a, code, span…) is inline and joins its text to its neighbours, so
 * "<em>Hi</em>!" reads "Hi!", not "Hi !".
 */
const BLOCK_TAG = /^<\/?(p|div|br|hr|h[1-6]|ul|ol|li|dl|dt|dd|blockquote|pre|table|thead|tbody|tfoot|tr|td|th|caption|figure|figcaption|section|article|aside|header|footer|nav|details|summary|img|iframe|video|audio|math|sup)\b/i;

function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+\d*);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return entities[name.toLowerCase()] ?? whole;
  });
}

/** Visible text of trusted, already-sanitised HTML: for search, excerpts and meta tags. */
export function plainText(html: string): string {
  return decodeEntities(
    html
      .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<sup class="footnote-ref">[\s\S]*?<\/sup>/gi, '')
      .replace(/<[^>]+>/g, (tag) => (BLOCK_TAG.test(tag) ? ' ' : '')),
  )
    .replace(/\s+/g, ' ')
    .trim();
}

/** How long an automatic excerpt may be. */
export const EXCERPT_LENGTH = 280;

/**
 * The excerpt a post gets when its author wrote none: the start of its prose, cut at a
 * word. Code blocks, tables and footnotes are not prose and are left out.
 */
export function automaticExcerpt(html: string): string {
  const prose = html.replace(/<(pre|table)\b[^>]*>[\s\S]*?<\/\1>/gi, ' ').replace(/<(section|div) class="footnotes"[\s\S]*$/i, ' ');
  return truncateWords(plainText(prose), EXCERPT_LENGTH);
}

/**
 * Whether `excerpt` is the automatic one for `html` — today's, or the one Kumbaya made
 * before 0.5 (every tag a space, code and tables included), which posts saved then
 * still hold. An automatic excerpt is shown as an empty field and follows the text.
 */
export function isAutomaticExcerpt(excerpt: string, html: string): boolean {
  if (excerpt === automaticExcerpt(html)) return true;
  const before = decodeEntities(html.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ').replace(/<sup class="footnote-ref">[\s\S]*?<\/sup>/gi, '').replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
  return excerpt === truncateWords(before, EXCERPT_LENGTH);
}

/** Cuts text at a word boundary near `max` characters, adding an ellipsis when cut. */
export function truncateWords(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max + 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${cut.slice(0, lastSpace > max * 0.6 ? lastSpace : max).replace(/[\s,;:.!?–—-]+$/, '')}…`;
}

/** URL-safe slug from any title: lower case, ASCII letters and digits joined by hyphens. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
}

/**
 * `root` if it is not among `taken`, else `root-N` for the smallest N ≥ 2 not taken
 * (`taken` may hold any slugs; only root and its numbered copies count).
 */
export function firstFreeSlug(root: string, taken: Iterable<string>): string {
  const numbers = new Set<number>();
  let rootTaken = false;
  for (const slug of taken) {
    if (slug === root) rootTaken = true;
    else if (slug.startsWith(`${root}-`) && /^[1-9][0-9]*$/.test(slug.slice(root.length + 1))) numbers.add(Number(slug.slice(root.length + 1)));
  }
  if (!rootTaken) return root;
  let n = 2;
  while (numbers.has(n)) n++;
  return `${root}-${n}`;
}
