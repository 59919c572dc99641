import { mf2 } from 'microformats-parser';
import { normaliseUrl } from '../../core/people.ts';
import { cleanText, cleanUrl, PROFILE_LIMITS, type ProfileReading } from '../../core/who-is.ts';

type Mf2Item = { type?: string[]; properties?: Record<string, unknown[]>; value?: unknown; children?: Mf2Item[] };
type Mf2Result = { items: Mf2Item[]; rels: Record<string, string[]> };

/** Every h-card on the page, in document order: top-level items, their children and embedded property values. */
function allCards(items: Mf2Item[]): Mf2Item[] {
  const out: Mf2Item[] = [];
  const walk = (item: Mf2Item) => {
    if (item.type?.includes('h-card')) out.push(item);
    for (const values of Object.values(item.properties ?? {})) for (const v of values) if (v && typeof v === 'object' && Array.isArray((v as Mf2Item).type)) walk(v as Mf2Item);
    for (const child of item.children ?? []) walk(child);
  };
  for (const item of items) walk(item);
  return out;
}

/** URLs match when every parsed component does (the algorithm's rule): compared as parsed hrefs. */
function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

/** A property's values as text: strings, or the `value` of an embedded object (e-* and u-* with alt). */
function texts(item: Mf2Item, name: string): string[] {
  const out: string[] = [];
  for (const v of item.properties?.[name] ?? []) {
    if (typeof v === 'string') out.push(v);
    else if (v && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'string') out.push((v as { value: string }).value);
  }
  return out;
}

/**
 * The representative h-card of a page (microformats.org/wiki/representative-h-card-parsing):
 * the first h-card whose uid and url both match the page URL; else the first whose url is
 * also a rel=me link of the page; else the page's only h-card, if its url matches the page.
 */
export function representativeHCard(parsed: Mf2Result, pageUrl: string): Mf2Item | null {
  const cards = allCards(parsed.items);
  const urls = (card: Mf2Item) => texts(card, 'url');
  const byUid = cards.find((card) => texts(card, 'uid').some((u) => sameUrl(u, pageUrl)) && urls(card).some((u) => sameUrl(u, pageUrl)));
  if (byUid) return byUid;
  const me = parsed.rels.me ?? [];
  const byRelMe = cards.find((card) => urls(card).some((u) => me.some((m) => sameUrl(u, m))));
  if (byRelMe) return byRelMe;
  if (cards.length === 1 && urls(cards[0]).some((u) => sameUrl(u, pageUrl))) return cards[0];
  return null;
}

/**
 * What a fetched page says about its owner: the representative h-card's name, note, url
 * and photo, and the page's rel=me links, as plain text and http(s) addresses within
 * PROFILE_LIMITS (a stranger's page is never kept as HTML). Never throws: a page the
 * parser cannot read is `unreadable`, one without a representative h-card `no-h-card`.
 */
export function readProfile(html: string, pageUrl: string): ProfileReading {
  let parsed: Mf2Result;
  try {
    parsed = mf2(html, { baseUrl: pageUrl }) as unknown as Mf2Result;
  } catch {
    return { found: false, reason: 'unreadable' };
  }
  const card = representativeHCard(parsed, pageUrl);
  if (!card) return { found: false, reason: 'no-h-card' };
  const first = (name: string, read: (v: string) => string | null) => texts(card, name).map(read).find((v) => v !== null) ?? null;
  const relMe: string[] = [];
  for (const link of parsed.rels.me ?? []) {
    const url = cleanUrl(link) ? normaliseUrl(link) : null;
    if (url && !relMe.includes(url)) relMe.push(url);
    if (relMe.length >= PROFILE_LIMITS.relMe) break;
  }
  return {
    found: true,
    name: first('name', (v) => cleanText(v, PROFILE_LIMITS.name)),
    note: first('note', (v) => cleanText(v, PROFILE_LIMITS.note, true)),
    url: first('url', cleanUrl),
    photo: first('photo', cleanUrl),
    relMe,
  };
}
