import { z } from 'zod';
import { json, ref, writeErrors, type OpenApiSection } from './openapi.ts';
import { bodyErrors, readErrors, scoped, sectionSchemas } from './openapi-shared.ts';

/** The site's settings in the JSON API (routes/api-settings.ts): what Admin → Settings edits, the owner's alone. */

const navItemSchema = z.strictObject({
  label: z
    .string({ message: 'Write each label as text.' })
    .trim()
    .regex(/^[^|\r\n]{1,60}$/, 'Each label has 1 to 60 characters, on one line, without “|”.')
    .describe('At most 60 characters, without “|”.'),
  url: z
    .string({ message: 'Write each address as text.' })
    .trim()
    .regex(/^(?:\/\S*|https?:\/\/\S+)$/, 'Each address is a path on the site (/about) or an http(s) address, without spaces.')
    .describe('A path on the site (/about) or an http(s) address.'),
});

export const apiSettingsSchema = z.object({
  title: z.string(),
  description: z.string(),
  navigation: z.array(z.object({ label: z.string(), url: z.string() })).describe('The menu, in order.'),
  custom_css: z.string().describe('Added to every page; may not load files from other sites.'),
  posts_per_page: z.int(),
  feed_items: z.int().describe('Newest items in each feed (site, tag, comments).'),
  load_remote_images: z.boolean().describe('Show images from other sites (avatars beside likes and reposts, “who is this?” photos); off by default.'),
  accent: z.string().describe('The accent colour (links, buttons) in the light scheme, as #rrggbb; empty keeps the theme’s.'),
  accent_dark: z.string().describe('The accent colour in the dark scheme, as #rrggbb; empty keeps the theme’s.'),
  favicon: z.string().describe('The site’s icon: an upload (/uploads/…) or an https address; empty is Kumbaya’s.'),
  time_zone: z.string().describe('The IANA time zone pages show times in and the editor reads publish times in, e.g. Europe/Paris.'),
});
export type ApiSettings = z.output<typeof apiSettingsSchema>;

/** PATCH /api/settings: the fields to change; the rules are the settings form’s. */
export const apiSettingsPatchSchema = z.strictObject({
  title: z.string({ message: 'Write the title as text.' }).meta({ minLength: 1, maxLength: 120 }).optional(),
  description: z.string({ message: 'Write the description as text.' }).meta({ maxLength: 300 }).optional(),
  navigation: z.array(navItemSchema, { message: 'Send the menu as a list of {"label", "url"}.' }).meta({ maxItems: 12 }).optional(),
  custom_css: z.string({ message: 'Write the CSS as text.' }).meta({ maxLength: 50_000 }).optional(),
  posts_per_page: z.int({ message: 'Posts per page must be a whole number.' }).meta({ minimum: 1, maximum: 50 }).optional(),
  feed_items: z.int({ message: 'Items per feed must be a whole number.' }).meta({ minimum: 1, maximum: 100 }).optional(),
  load_remote_images: z.boolean({ message: 'Use true or false.' }).optional(),
  accent: z.string({ message: 'Write the colour as #rrggbb, or empty for the theme’s.' }).meta({ maxLength: 20 }).optional(),
  accent_dark: z.string({ message: 'Write the colour as #rrggbb, or empty for the theme’s.' }).meta({ maxLength: 20 }).optional(),
  favicon: z.string({ message: 'Write the icon’s address as text.' }).meta({ maxLength: 2000 }).optional(),
  time_zone: z.string({ message: 'Write the zone’s name as text, e.g. Europe/Paris.' }).meta({ maxLength: 100 }).optional(),
});

const common = { tags: ['settings'] };

export const settingsOpenApi: OpenApiSection = {
  tags: [{ name: 'settings', description: 'The site’s title, description, menu, custom CSS and page sizes (Admin → Settings). The owner’s token only.' }],
  schemas: () => sectionSchemas({ Settings: apiSettingsSchema }, { SettingsPatch: apiSettingsPatchSchema }),
  paths: {
    '/api/settings': {
      get: {
        ...common,
        operationId: 'getSettings',
        security: scoped('admin'),
        summary: 'The site’s settings',
        responses: { '200': { description: 'The settings.', content: json(ref('Settings')) }, ...readErrors },
      },
      patch: {
        ...common,
        operationId: 'updateSettings',
        security: scoped('admin'),
        summary: 'Change the site’s settings',
        description: 'Changes what is sent, checked as the settings form checks it; nothing is saved when a field is refused (422 naming it).',
        requestBody: { required: true, content: json(ref('SettingsPatch')) },
        responses: { '200': { description: 'The settings as saved.', content: json(ref('Settings')) }, ...writeErrors, ...bodyErrors },
      },
    },
  },
};
