/**
 * Cheap, certain signals about a submitted comment, computed before any statistics:
 * how many links it carries, which of the site's disallowed words it uses, and whether
 * a bot filled the hidden honeypot field. Pure functions; no I/O.
 */

/** `[text](url)` and `![alt](url)`, with an optional <…> around the url. */
const markdownLink = /!?\[[^\]\n]*\]\(\s*<?[^)\s>]+>?(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
/** `[label]: url` reference definitions. */
const referenceDefinition = /^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?\S+>?/gm;
/** `<https://…>` and `<mailto:…>` autolinks. */
const autolink = /<(?:[a-z][a-z0-9+.-]{1,31}:[^\s<>]+|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)>/gi;
/** Raw HTML and BBCode links: not rendered in comments, but spammers paste them anyway. */
const markupLink = /<a\s[^>]*href\s*=|\[url[=\]]/gi;
/** Bare URLs: with a scheme, or starting www. */
const bareUrl = /\b(?:https?:\/\/|ftp:\/\/|www\.)[^\s<>()]+/gi;

/**
 * How many links a comment in Markdown carries: Markdown links and images, reference
 * definitions, autolinks, pasted HTML/BBCode links and bare URLs. Each link counts once
 * (a Markdown link whose text is itself a URL is one link, not two).
 */
export function countLinks(markdown: string): number {
  let count = 0;
  let rest = markdown;
  for (const pattern of [markdownLink, referenceDefinition, autolink]) {
    rest = rest.replace(pattern, () => {
      count++;
      return ' ';
    });
  }
  rest = rest.replace(/<a\s[^>]*>.*?<\/a>/gis, () => {
    count++;
    return ' ';
  });
  rest = rest.replace(/\[url(?:=[^\]]*)?\].*?\[\/url\]/gis, () => {
    count++;
    return ' ';
  });
  count += rest.match(markupLink)?.length ?? 0;
  count += rest.replace(markupLink, ' ').match(bareUrl)?.length ?? 0;
  return count;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A list entry as a pattern: whole words, any case, any run of spaces between words. */
function wholeWord(entry: string): RegExp {
  const body = entry.split(/\s+/).map(escapeRegExp).join('\\s+');
  return new RegExp(`(?<![\\p{L}\\p{N}_])${body}(?![\\p{L}\\p{N}_])`, 'iu');
}

/**
 * The entries of `list` (one word or phrase each, as the moderator typed them) that occur
 * as whole words, in any case, in any of `texts`: pass the body together with the
 * commenter's name, email and website so "casino" is caught in `casino-bonus.example` too.
 * Blank entries are ignored; each match is reported once, in list order.
 */
export function findDisallowedWords(texts: string | ReadonlyArray<string | null | undefined>, list: readonly string[]): string[] {
  const haystacks = (typeof texts === 'string' ? [texts] : texts).filter((t): t is string => !!t).map((t) => t.normalize('NFKC'));
  const found: string[] = [];
  const seen = new Set<string>();
  for (const raw of list) {
    const entry = raw.normalize('NFKC').trim();
    const key = entry.toLowerCase();
    if (!entry || seen.has(key)) continue;
    seen.add(key);
    const pattern = wholeWord(entry);
    if (haystacks.some((text) => pattern.test(text))) found.push(entry);
  }
  return found;
}

/** True when the hidden field people never see came back with anything in it. */
export function honeypotFilled(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.some(honeypotFilled);
  return true;
}
