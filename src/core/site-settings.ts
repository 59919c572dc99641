import { z } from 'zod';
import { accentProblem, normalHex } from './colour.ts';
import { DomainError } from './errors.ts';
import type { Store } from './store.ts';
import { serverTimeZoneName, timeZoneProblem } from './time-zone.ts';

export interface NavItem {
  label: string;
  url: string;
}

/** What the owner sets on the settings page. */
export interface SiteSettings {
  title: string;
  description: string;
  navigation: NavItem[];
  customCss: string;
  postsPerPage: number;
  /** Newest items in each feed (site, tag, comments). */
  feedItems: number;
  /**
   * Show images from other sites: "who is this?" photos in the admin, and the avatars beside
   * a post's likes and reposts (fediverse accounts, webmention authors). Off by default: an
   * image from a stranger's site tells them who looked and when, so initials stand in.
   */
  loadRemoteImages: boolean;
  /** The accent (links, buttons) in the light scheme, a hex colour; '' keeps the theme's. */
  accent: string;
  /** The accent in the dark scheme (prefers-color-scheme: dark); '' keeps the theme's. */
  accentDark: string;
  /** The site's icon: an upload (/uploads/<sha256>.<ext>) or an https address; '' is Kumbaya's. */
  favicon: string;
  /**
   * The IANA time zone the site shows times in and reads the editor's publish time in
   * ("Europe/Paris"); by default the server's own zone.
   */
  timeZone: string;
}

export const defaultSiteSettings: SiteSettings = {
  title: 'Kumbaya',
  description: 'A blog built for conversation.',
  navigation: [
    { label: 'Home', url: '/' },
    { label: 'Archive', url: '/archive' },
  ],
  customCss: '',
  postsPerPage: 10,
  feedItems: 20,
  loadRemoteImages: false,
  accent: '',
  accentDark: '',
  favicon: '',
  get timeZone() {
    return serverZone();
  },
};

/** An icon from the media library, by its address. */
export const UPLOAD_ICON = /^\/uploads\/([0-9a-f]{64})\.(png|jpg|gif|webp|avif)$/;

const faviconField = z
  .string()
  .trim()
  .max(2000, 'Keep the icon’s address under 2,000 characters.')
  .refine((v) => v === '' || UPLOAD_ICON.test(v) || /^https:\/\/[^\s"'<>]+$/i.test(v), 'The icon is an image from the media library (/uploads/…) or an https:// address.');

let serverZoneName: string | null = null;
/** The server's zone, looked up once. */
const serverZone = () => (serverZoneName ??= serverTimeZoneName());

const navLine = /^(.{1,60}?)\s*\|\s*(\/[^\s]*|https?:\/\/[^\s]+)$/;

/** Parses navigation written one item a line as "Label | /path" or "Label | https://…". */
export function parseNavigation(text: string): { items: NavItem[]; error: string | null } {
  const items: NavItem[] = [];
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  for (const [i, line] of lines.entries()) {
    const match = navLine.exec(line);
    if (!match) return { items, error: `Line ${i + 1} ("${line.slice(0, 40)}") should look like "About | /about" or "Mastodon | https://example.social/@me".` };
    items.push({ label: match[1].trim(), url: match[2] });
  }
  if (items.length > 12) return { items, error: 'Keep the navigation to 12 items or fewer.' };
  return { items, error: null };
}

export const formatNavigation = (items: NavItem[]): string => items.map((i) => `${i.label} | ${i.url}`).join('\n');

const settingsSchema = z.object({
  title: z.string().trim().min(1, 'Give the site a title.').max(120, 'Keep the title under 120 characters.'),
  description: z.string().trim().max(300, 'Keep the description under 300 characters.'),
  navigation: z.string().max(4000),
  customCss: z
    .string()
    .max(50_000, 'Keep custom CSS under 50,000 characters.')
    .refine((css) => !/<\/?style|<script|@import|expression\s*\(|url\s*\(\s*['"]?\s*(https?:)?\/\//i.test(css), 'Custom CSS may not load files from other sites (@import or external url()) or contain HTML tags.'),
  postsPerPage: z.coerce.number().int('Posts per page must be a whole number.').min(1, 'Show at least 1 post per page.').max(50, 'Show at most 50 posts per page.'),
  // Absent (an older form or API client) keeps the default; an empty field is an error.
  feedItems: z.preprocess(
    (v) => v ?? defaultSiteSettings.feedItems,
    z.coerce.number().int('Items per feed must be a whole number.').min(1, 'Put at least 1 item in each feed.').max(100, 'Put at most 100 items in each feed.'),
  ),
  // A checkbox: sent as "1" when ticked, absent when not.
  loadRemoteImages: z.preprocess((v) => v === true || v === '1' || v === 'true' || v === 'on', z.boolean()),
  // Absent (an older form or API client) keeps the theme's.
  accent: z.preprocess((v) => v ?? '', z.string().max(20)).superRefine((v, ctx) => {
    const problem = accentProblem(v, 'light');
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  accentDark: z.preprocess((v) => v ?? '', z.string().max(20)).superRefine((v, ctx) => {
    const problem = accentProblem(v, 'dark');
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  favicon: z.preprocess((v) => v ?? '', faviconField),
  // Absent (an older form): the zone stays as it is.
  timeZone: z
    .string()
    .trim()
    .optional()
    .superRefine((name, ctx) => {
      const problem = name === undefined ? null : timeZoneProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
});

export function readSiteSettings(stored: Record<string, string>): SiteSettings {
  let navigation = defaultSiteSettings.navigation;
  try {
    if (stored['site.navigation']) navigation = JSON.parse(stored['site.navigation']) as NavItem[];
  } catch {
    // A damaged value falls back to the default rather than breaking every page.
  }
  const perPage = Number(stored['site.postsPerPage']);
  const feedItems = Number(stored['site.feedItems']);
  return {
    title: stored['site.title'] ?? defaultSiteSettings.title,
    description: stored['site.description'] ?? defaultSiteSettings.description,
    navigation,
    customCss: stored['site.customCss'] ?? '',
    postsPerPage: Number.isInteger(perPage) && perPage > 0 ? perPage : defaultSiteSettings.postsPerPage,
    feedItems: Number.isInteger(feedItems) && feedItems > 0 ? feedItems : defaultSiteSettings.feedItems,
    loadRemoteImages: stored['site.loadRemoteImages'] === 'true',
    accent: normalHex(stored['site.accent'] ?? '') ?? '',
    accentDark: normalHex(stored['site.accentDark'] ?? '') ?? '',
    favicon: stored['site.favicon'] ?? '',
    timeZone: stored['site.timeZone'] || serverZone(),
  };
}

/** Validates the settings form and stores it; throws a DomainError naming each bad field. */
export async function saveSiteSettings(store: Store, input: unknown): Promise<SiteSettings> {
  const parsed = settingsSchema.safeParse(input);
  const fields: Record<string, string> = {};
  if (!parsed.success) for (const issue of parsed.error.issues) fields[String(issue.path[0])] ??= issue.message;
  const nav = parseNavigation(parsed.success ? parsed.data.navigation : String((input as Record<string, unknown>)?.navigation ?? ''));
  if (nav.error) fields.navigation = nav.error;
  if (!parsed.success || nav.error) throw new DomainError('validation_failed', Object.values(fields)[0], fields);
  const s = parsed.data;
  await store.settings.set({
    'site.title': s.title,
    'site.description': s.description,
    'site.navigation': JSON.stringify(nav.items),
    'site.customCss': s.customCss,
    'site.postsPerPage': String(s.postsPerPage),
    'site.feedItems': String(s.feedItems),
    'site.loadRemoteImages': String(s.loadRemoteImages),
    'site.accent': normalHex(s.accent) ?? '',
    'site.accentDark': normalHex(s.accentDark) ?? '',
    'site.favicon': s.favicon,
    ...(s.timeZone !== undefined ? { 'site.timeZone': s.timeZone } : {}),
  });
  return readSiteSettings(await store.settings.getAll());
}
