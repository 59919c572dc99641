import { z } from 'zod';

/**
 * A post's SEO fields (issue 14): what its page head says instead of the automatic values.
 * Each is optional; empty means "automatic" (the excerpt, the cover image, the post's own
 * address). Left out of an update, each keeps what the post has.
 */
export const SEO_LIMITS = {
  /** Search engines show about 155 characters; a little more is kept, not more than that. */
  metaDescription: 300,
  url: 2000,
} as const;

/** Characters a search result usually shows of a description; the editor counts towards it. */
export const DESCRIPTION_SHOWN = 155;

/** An absolute http(s) URL without user or password, or null with the reason. */
function badAbsoluteUrl(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not-a-url';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'scheme';
  if (url.username || url.password) return 'credentials';
  if (!url.hostname.includes('.') && url.hostname !== 'localhost') return 'host';
  return null;
}

const optionalText = (schema: z.ZodString) => schema.nullable().optional();

export const seoInputShape = {
  metaDescription: optionalText(
    z
      .string()
      .trim()
      .max(SEO_LIMITS.metaDescription, `Keep the meta description under ${SEO_LIMITS.metaDescription} characters (search results show about ${DESCRIPTION_SHOWN}).`)
      .refine((s) => !/[\r\n]/.test(s), 'Write the meta description as one line.'),
  ),
  socialImage: optionalText(
    z
      .string()
      .trim()
      .max(SEO_LIMITS.url, `Keep the social image address under ${SEO_LIMITS.url} characters.`)
      .refine((s) => s === '' || /^\/uploads\/[A-Za-z0-9._-]+$/.test(s) || /^https?:\/\//i.test(s), 'Use an uploaded image (/uploads/…) or an address starting with https://.')
      .refine((s) => !/^https?:\/\//i.test(s) || badAbsoluteUrl(s) === null, 'The social image address is not a valid web address (e.g. https://example.com/card.jpg).'),
  ),
  canonicalUrl: optionalText(
    z
      .string()
      .trim()
      .max(SEO_LIMITS.url, `Keep the canonical URL under ${SEO_LIMITS.url} characters.`)
      .refine((s) => s === '' || /^https?:\/\//i.test(s), 'Use a full address starting with https:// (e.g. https://example.com/original-post).')
      .refine((s) => !/^https?:\/\//i.test(s) || badAbsoluteUrl(s) === null, 'The canonical URL is not a valid web address (e.g. https://example.com/original-post).'),
  ),
};

/** '' → null (automatic); undefined stays undefined (keep). */
export const seoValue = (value: string | null | undefined): string | null | undefined => (value === undefined ? undefined : value === null || value === '' ? null : value);
