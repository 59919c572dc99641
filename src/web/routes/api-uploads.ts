import { UPLOAD_ICON } from '../../core/site-settings.ts';
import { Hono } from 'hono';
import { DomainError, notFound } from '../../core/errors.ts';
import { canChangeUpload, UPLOAD_NOT_YOURS, uploadUrl } from '../../core/media.ts';
import type { UploadInfo } from '../../core/store.ts';
import type { AppEnv } from '../context.ts';
import { apiUploadDeleteQuerySchema, apiUploadPatchSchema, apiUploadQuerySchema, type ApiUpload } from '../openapi-uploads.ts';
import { snippetAlt } from '../views/admin/uploads-view.ts';
import { limitBody, limitWrites, parseWith, readJson, type ApiContext } from './api-request.ts';
import { iso, requireRole } from './api-staff.ts';
import { readUploadForm } from './upload-form.ts';

const ROLES = ['owner', 'author'] as const;
const REFUSAL = 'Uploading images is for the owner and authors.';
/** 64 hex digits; a shorter or longer run finds no upload (a 404). No nested braces: the route tests read the pattern. */
const HASH = ':hash{[0-9a-f]+}';

/** Uploads as the API gives them, with their sizes, variants and uses looked up together. */
async function uploadsOut(c: ApiContext, uploads: UploadInfo[]): Promise<ApiUpload[]> {
  const { store } = c.get('deps');
  const hashes = uploads.map((u) => u.hash);
  const [uses, images] = await Promise.all([store.uploads.usage(hashes), store.uploads.images(hashes)]);
  return uploads.map((u) => ({
    hash: u.hash,
    url: uploadUrl(u),
    markdown: `![${snippetAlt(u.alt, u.originalName)}](${uploadUrl(u)})`,
    mime: u.mime,
    size: u.size,
    width: u.width,
    height: u.height,
    original_name: u.originalName,
    alt: u.alt,
    caption: u.caption,
    uploader_id: u.uploaderId,
    created_at: iso(u.createdAt),
    variant_widths: images.get(u.hash)?.variantWidths ?? [],
    uses: (uses.get(u.hash) ?? []).map((x) => ({ id: x.postId, title: x.title, slug: x.slug, type: x.type, status: x.status, trashed: x.trashed })),
  }));
}

async function uploadOr404(c: ApiContext): Promise<UploadInfo> {
  const upload = await c.get('deps').store.uploads.info(c.req.param('hash') ?? '');
  if (!upload) throw notFound('The upload');
  return upload;
}

/** The upload in the path, when the token's user may change it (the owner any, an author their own). */
async function ownUpload(c: ApiContext): Promise<UploadInfo> {
  const user = requireRole(c, 'write', ROLES, REFUSAL);
  const upload = await uploadOr404(c);
  if (!canChangeUpload(user, upload)) throw new DomainError('forbidden', UPLOAD_NOT_YOURS);
  return upload;
}

/** The media library in the JSON API, mounted at /api/uploads; the rules are core/media.ts's, as Admin → Uploads. */
export function apiUploadRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    requireRole(c, 'read', ROLES, REFUSAL);
    const query = parseWith(apiUploadQuerySchema, c.req.query(), 'query parameters');
    const found = await c.get('deps').store.uploads.list({ q: query.q?.trim() ?? '', limit: query.per_page, offset: (query.page - 1) * query.per_page });
    return c.json({ uploads: await uploadsOut(c, found.items), page: query.page, per_page: query.per_page, total: found.total });
  });

  app.post('/', limitWrites, async (c) => {
    const user = requireRole(c, 'write', ROLES, REFUSAL);
    const { media, config } = c.get('deps');
    if (!(c.req.header('content-type') ?? '').startsWith('multipart/form-data')) {
      throw new DomainError('unsupported_media_type', 'Send the image as multipart/form-data, in the field "file" (and alt text in "alt").');
    }
    const { bytes, fileName, alt } = await readUploadForm(c);
    const saved = await media.upload({ bytes, fileName, alt, uploaderId: user.id });
    c.header('Location', `${config.siteUrl}/api/uploads/${saved.hash}`);
    return c.json((await uploadsOut(c, [saved]))[0], 201);
  });

  app.get(`/${HASH}`, async (c) => {
    requireRole(c, 'read', ROLES, REFUSAL);
    return c.json((await uploadsOut(c, [await uploadOr404(c)]))[0]);
  });

  app.patch(`/${HASH}`, limitWrites, limitBody, async (c) => {
    const input = parseWith(apiUploadPatchSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"alt": "A heron on the pier"}');
    const upload = await ownUpload(c);
    const saved = await c.get('deps').media.describe(upload.hash, { alt: input.alt ?? upload.alt, caption: input.caption ?? upload.caption });
    return c.json((await uploadsOut(c, [saved]))[0]);
  });

  app.delete(`/${HASH}`, limitWrites, async (c) => {
    const query = parseWith(apiUploadDeleteQuerySchema, c.req.query(), 'query parameters');
    const upload = await ownUpload(c);
    // The site's icon is never deleted from under it, even with force (as in the admin).
    if (UPLOAD_ICON.exec(c.get('site').favicon)?.[1] === upload.hash) {
      throw new DomainError('conflict', 'This image is the site’s icon. Choose another icon (or none) in Settings first, then delete it.');
    }
    const result = await c.get('deps').media.remove(upload.hash, query.force === 'true');
    if (!result.removed) {
      const where = result.uses.length === 1 ? 'one post or page' : `${result.uses.length} posts or pages`;
      const message = `This image is shown in ${where}: ${result.uses.map((u) => `“${u.title}” (id ${u.postId})`).join(', ')}. Remove it from there first, or delete it anyway with force=true and leave a broken image in its place.`;
      throw new DomainError('conflict', message, {}, { uses: result.uses.map((u) => ({ id: u.postId, title: u.title, slug: u.slug, type: u.type, status: u.status, trashed: u.trashed })) });
    }
    return c.body(null, 204);
  });

  return app;
}
