import { z } from 'zod';
import { slugify } from './text.ts';

/** A tag's name and address as Admin → Tags and the API take them (the address may be left empty). */
export const tagInputSchema = z.object({
  name: z.string().trim().min(1, 'Give the tag a name.').max(60, 'Keep the name under 60 characters.'),
  slug: z
    .string()
    .trim()
    .max(60, 'Keep the address under 60 characters.')
    .refine((s) => s === '' || /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(s), 'Use lower-case letters, digits and single hyphens (e.g. social-media).'),
});

/** The name and address to store, or each field's problem; an empty address is made from the name. */
export function checkTag(values: { name: string; slug: string }): { ok: true; name: string; slug: string } | { ok: false; fields: Record<string, string> } {
  const parsed = tagInputSchema.safeParse(values);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[String(issue.path[0])] ??= issue.message;
    return { ok: false, fields };
  }
  const slug = parsed.data.slug || slugify(parsed.data.name);
  if (!slug) return { ok: false, fields: { slug: 'Choose an address with letters or digits.' } };
  return { ok: true, name: parsed.data.name, slug };
}
