import { Hono, type Context } from 'hono';
import { DomainError, notFound } from '../../../core/errors.ts';
import { canChangeUpload, UPLOAD_NOT_YOURS, uploadUrl, type RemoveResult } from '../../../core/media.ts';
import { UPLOAD_ICON } from '../../../core/site-settings.ts';
import type { UploadInfo } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { wantsJson } from '../../errors.ts';
import { confirmView } from '../../views/admin/confirm-view.ts';
import { LIBRARY_PAGE_SIZE, snippetAlt, uploadPage, uploadsView } from '../../views/admin/uploads-view.ts';
import { readUploadForm } from '../upload-form.ts';
import { allowRoles, confirmed, currentUser, formFields, pageNumber, redirectWithNotice } from './admin-request.ts';

export { detectImageType } from '../../../core/media.ts';

/** Alt text for the Markdown snippet: what the person wrote, else the file name in words. */
function altText(given: unknown, fileName: string): string {
  return snippetAlt(typeof given === 'string' ? given : '', fileName);
}

/** The upload named in the address, or a 404; an author may change only what they uploaded. */
async function ownUpload(c: Context<AppEnv>): Promise<UploadInfo> {
  const upload = await c.get('deps').store.uploads.info(c.req.param('hash')!);
  if (!upload) throw notFound('The upload');
  const user = currentUser(c);
  if (!canChangeUpload(user, upload)) throw new DomainError('forbidden', UPLOAD_NOT_YOURS);
  return upload;
}

const HASH = ':hash{[0-9a-f]{64}}';

/** The media library: every image with its size, alt text, caption and uses; upload, describe, delete. Served at /uploads/<sha256>.<ext> by the app. */
export function uploadRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', allowRoles(['owner', 'author'], 'Uploading images is for the owner and authors.'));

  app.get('/', async (c) => {
    const { store } = c.get('deps');
    const q = (c.req.query('q') ?? '').trim().slice(0, 200);
    const page = pageNumber(c);
    const found = await store.uploads.list({ q, limit: LIBRARY_PAGE_SIZE, offset: (page - 1) * LIBRARY_PAGE_SIZE });
    const [uses, images] = await Promise.all([store.uploads.usage(found.items.map((u) => u.hash)), store.uploads.images(found.items.map((u) => u.hash))]);
    return c.html(uploadsView(c, { uploads: found.items, total: found.total, page, q, uses, images, justUploaded: c.req.query('file') }).value);
  });

  app.post('/', async (c) => {
    const { media } = c.get('deps');
    const user = currentUser(c);
    const { bytes, fileName, alt } = await readUploadForm(c);
    const saved = await media.upload({ bytes, fileName, alt, uploaderId: user.id });
    const url = uploadUrl(saved);
    const markdown = `![${altText(saved.alt || alt, saved.originalName)}](${url})`;
    if (wantsJson(c)) return c.json({ url, markdown, width: saved.width, height: saved.height }, 201);
    return redirectWithNotice(c, '/admin/uploads', 'uploaded', { file: url.slice('/uploads/'.length) });
  });

  app.get(`/${HASH}`, async (c) => {
    const { store } = c.get('deps');
    const upload = await store.uploads.info(c.req.param('hash'));
    if (!upload) throw notFound('The upload');
    const [uses, images] = await Promise.all([store.uploads.usage([upload.hash]), store.uploads.images([upload.hash])]);
    return c.html(uploadPage(c, { upload, uses: uses.get(upload.hash) ?? [], image: images.get(upload.hash) }).value);
  });

  // Alt text and caption.
  app.post(`/${HASH}`, async (c) => {
    const { media, store } = c.get('deps');
    const upload = await ownUpload(c);
    const fields = await formFields(c);
    try {
      const saved = await media.describe(upload.hash, { alt: fields.alt ?? '', caption: fields.caption ?? '' });
      if (wantsJson(c)) return c.json({ alt: saved.alt, caption: saved.caption });
      return redirectWithNotice(c, `/admin/uploads/${upload.hash}`, 'upload-described');
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'validation_failed' || wantsJson(c)) throw error;
      const [uses, images] = await Promise.all([store.uploads.usage([upload.hash]), store.uploads.images([upload.hash])]);
      const page = uploadPage(c, { upload, uses: uses.get(upload.hash) ?? [], image: images.get(upload.hash), edit: { alt: fields.alt ?? '', caption: fields.caption ?? '', errors: error.fields } });
      return c.html(page.value, 422);
    }
  });

  // Delete: refused with the posts that show it, unless forced ("Delete anyway").
  app.post(`/${HASH}/delete`, async (c) => {
    const { media, store } = c.get('deps');
    const upload = await ownUpload(c);
    if (UPLOAD_ICON.exec(c.get('site').favicon)?.[1] === upload.hash) {
      throw new DomainError('conflict', 'This image is the site’s icon. Choose another icon (or none) in Settings first, then delete it.');
    }
    const fields = await formFields(c);
    const force = fields.force === 'yes';
    if (!wantsJson(c) && !confirmed(fields)) {
      return c.html(
        confirmView(c, {
          title: `Delete “${upload.originalName}”?`,
          message: 'The image and its smaller copies are deleted for good. Posts that show it would show a broken image instead.',
          action: `/admin/uploads/${upload.hash}/delete`,
          confirmLabel: 'Delete image',
          cancelHref: `/admin/uploads/${upload.hash}`,
          current: 'uploads',
          fields: force ? { force: 'yes' } : {},
        }).value,
      );
    }
    const result: RemoveResult = await media.remove(upload.hash, force);
    if (result.removed) {
      if (wantsJson(c)) return c.body(null, 204);
      return redirectWithNotice(c, '/admin/uploads', 'upload-deleted');
    }
    const message = `This image is shown in ${result.uses.length === 1 ? 'one post or page' : `${result.uses.length} posts or pages`}: ${result.uses.map((u) => `“${u.title}”`).join(', ')}. Remove it from there first, or delete it anyway and leave a broken image in its place.`;
    if (wantsJson(c)) {
      return c.json({ error: { code: 'conflict', message, uses: result.uses.map((u) => ({ id: u.postId, title: u.title, slug: u.slug, status: u.status, trashed: u.trashed })) } }, 409);
    }
    const images = await store.uploads.images([upload.hash]);
    return c.html(uploadPage(c, { upload, uses: result.uses, image: images.get(upload.hash), refusedDelete: message }).value, 409);
  });

  return app;
}
