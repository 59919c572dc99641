import { mf2 } from 'microformats-parser';
import type { MentionDetails, MentionType } from '../../core/webmention-store.ts';
import { absoluteHttpUrl, linkElements } from './html-links.ts';

/** What a source page says about a target, read from its HTML and its microformats (its content: plain text, at most 5,000 characters). */
export interface SourceReading extends MentionDetails {
  linksToTarget: boolean;
  /** Why the page could not be read, when it could not (it is then rejected with this reason). */
  unreadable?: string;
}

type Mf2Item = { type?: string[]; properties?: Record<string, unknown[]>; value?: unknown; children?: Mf2Item[] };

const same = (a: string, b: string) => {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
};

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() || null;
  if (value && typeof value === 'object') {
    const v = (value as { value?: unknown }).value;
    if (typeof v === 'string') return v.trim() || null;
  }
  return null;
}

/** A property's values as URLs (plain strings, or embedded h-cite/h-entry with a url). */
function urlsOf(item: Mf2Item, name: string): string[] {
  const out: string[] = [];
  for (const value of item.properties?.[name] ?? []) {
    if (typeof value === 'string') out.push(value);
    else if (value && typeof value === 'object') {
      const embedded = value as Mf2Item;
      for (const u of embedded.properties?.url ?? []) if (typeof u === 'string') out.push(u);
      const v = text(value);
      if (v) out.push(v);
    }
  }
  return out;
}

function entries(items: Mf2Item[]): Mf2Item[] {
  const out: Mf2Item[] = [];
  const walk = (list: Mf2Item[]) => {
    for (const item of list) {
      if (item.type?.includes('h-entry')) out.push(item);
      walk(item.children ?? []);
    }
  };
  walk(items);
  return out;
}

function first(item: Mf2Item | undefined, name: string): string | null {
  return text(item?.properties?.[name]?.[0]);
}

/** Does the HTML link to `target` exactly (an <a>, <link>, <img>… whose URL is the target)? */
export function htmlLinksTo(html: string, baseUrl: string, target: string): boolean {
  return linkElements(html).some((el) => {
    const url = absoluteHttpUrl(el.href, baseUrl);
    return url !== null && same(url, target);
  });
}

const nothing: SourceReading = { linksToTarget: false, type: 'mention', authorName: null, authorUrl: null, authorPhoto: null, content: null, url: null, publishedAt: null };

/**
 * Reads a fetched source: whether it links to `target`, and from its microformats the
 * kind of response (reply, like, repost, bookmark, or a plain mention), the author's
 * h-card, the content and when it was published. Never throws: HTML that cannot be read
 * (an invalid `<base href>`, a page with nothing but a script) comes back `unreadable`,
 * with the reason, for the mention to be rejected with it.
 */
export function readSource(body: string, contentType: string, sourceUrl: string, target: string): SourceReading {
  try {
    return read(body, contentType, sourceUrl, target);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^Microformats parser: /, '').slice(0, 200);
    return { ...nothing, unreadable: `its HTML could not be read (${reason})` };
  }
}

function read(body: string, contentType: string, sourceUrl: string, target: string): SourceReading {
  const none = nothing;
  if (!/html/i.test(contentType)) return { ...none, linksToTarget: /^text\/plain|json/i.test(contentType) && body.includes(target) };
  if (!htmlLinksTo(body, sourceUrl, target)) return none;

  const parsed = mf2(body, { baseUrl: sourceUrl }) as unknown as { items: Mf2Item[] };
  const all = entries(parsed.items);
  const mentions = (entry: Mf2Item) => ['in-reply-to', 'like-of', 'repost-of', 'bookmark-of'].some((p) => urlsOf(entry, p).some((u) => same(u, target)));
  const entry = all.find(mentions) ?? all.find((e) => urlsOf(e, 'url').some((u) => same(u, sourceUrl))) ?? all[0];
  const has = (prop: string) => (entry ? urlsOf(entry, prop).some((u) => same(u, target)) : false);
  const type: MentionType = has('in-reply-to') ? 'reply' : has('repost-of') ? 'repost' : has('like-of') ? 'like' : has('bookmark-of') ? 'bookmark' : 'mention';

  const authorValue = entry?.properties?.author?.[0];
  let card: Mf2Item | undefined = authorValue && typeof authorValue === 'object' && (authorValue as Mf2Item).type?.includes('h-card') ? (authorValue as Mf2Item) : undefined;
  let authorUrl = card ? first(card, 'url') : typeof authorValue === 'string' && /^https?:/i.test(authorValue) ? authorValue : null;
  let authorName = card ? (first(card, 'name') ?? text(card.value)) : typeof authorValue === 'string' && !authorUrl ? authorValue.trim() : null;
  if (!card && !authorName) {
    card = parsed.items.find((i) => i.type?.includes('h-card'));
    if (card) [authorName, authorUrl] = [first(card, 'name'), authorUrl ?? first(card, 'url')];
  }
  const photo = card?.properties?.photo?.[0];
  const authorPhoto = typeof photo === 'string' ? photo : photo && typeof photo === 'object' ? text(photo) : null;

  const content = first(entry, 'content') ?? first(entry, 'summary') ?? (type === 'mention' ? first(entry, 'name') : null);
  const published = first(entry, 'published');
  const publishedAt = published && Number.isFinite(Date.parse(published)) ? Date.parse(published) : null;
  return {
    linksToTarget: true,
    type,
    authorName: authorName?.slice(0, 200) ?? null,
    authorUrl: authorUrl && absoluteHttpUrl(authorUrl, sourceUrl),
    authorPhoto: authorPhoto && absoluteHttpUrl(authorPhoto, sourceUrl),
    content: content ? content.replace(/\s+\n/g, '\n').slice(0, 5000) : null,
    url: (entry && urlsOf(entry, 'url').map((u) => absoluteHttpUrl(u, sourceUrl)).find(Boolean)) ?? sourceUrl,
    publishedAt,
  };
}
