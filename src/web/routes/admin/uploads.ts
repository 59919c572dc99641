import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { DomainError } from '../../../core/errors.ts';
import type { AppEnv } from '../../context.ts';
import { wantsJson } from '../../errors.ts';
import { uploadsView } from '../../views/admin/uploads-view.ts';
import { allowRoles, currentUser, redirectWithNotice } from './admin-request.ts';

export interface ImageType {
  mime: string;
  ext: string;
}

const ascii = (bytes: Uint8Array, at: number, text: string): boolean =>
  bytes.length >= at + text.length && [...text].every((ch, i) => bytes[at + i] === ch.charCodeAt(0));

/**
 * The image type told by the file's first bytes (never by its name or the type the
 * browser claims). Only raster formats: SVG is refused because it can carry script.
 */
export function detectImageType(bytes: Uint8Array): ImageType | null {
  if ([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => bytes[i] === b)) return { mime: 'image/png', ext: 'png' };
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { mime: 'image/jpeg', ext: 'jpg' };
  if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) return { mime: 'image/gif', ext: 'gif' };
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return { mime: 'image/webp', ext: 'webp' };
  if (ascii(bytes, 4, 'ftyp')) {
    // ISO-BMFF: box size, "ftyp", major brand, minor version, then compatible brands.
    const boxEnd = Math.min(bytes.length, ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0);
    for (let at = 8; at + 4 <= boxEnd; at += at === 8 ? 8 : 4) {
      if (ascii(bytes, at, 'avif') || ascii(bytes, at, 'avis')) return { mime: 'image/avif', ext: 'avif' };
    }
  }
  return null;
}

/** Room for the multipart framing and the other small fields around the file. */
const MULTIPART_SLACK = 64 * 1024;

function tooLarge(max: number): DomainError {
  const mb = Math.round((max / 1024 / 1024) * 10) / 10;
  return new DomainError('payload_too_large', `That file is larger than the ${mb} MB limit. Make the image smaller (for example 2000 pixels wide) and try again.`);
}

/** Alt text for the Markdown snippet: what the person wrote, else the file name in words. */
function altText(given: unknown, fileName: string): string {
  const text = typeof given === 'string' && given.trim() ? given.trim() : fileName.replace(/\.[a-z0-9]+$/i, '').replace(/[-_]+/g, ' ');
  return text.replace(/[[\]\\\r\n]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** Image uploads: list and upload. Served at /uploads/<sha256>.<ext> by the app. */
export function uploadRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', allowRoles(['owner', 'author'], 'Uploading images is for the owner and authors.'));

  app.get('/', async (c) => {
    const uploads = await c.get('deps').store.uploads.list(200);
    return c.html(uploadsView(c, uploads, c.req.query('file')).value);
  });

  app.post('/', async (c) => {
    const { config, store, clock } = c.get('deps');
    const user = currentUser(c);
    const max = config.uploadMaxBytes;
    // Refuse early when the body says it is too large, before reading it into memory.
    const declared = Number(c.req.header('content-length'));
    if (Number.isFinite(declared) && declared > max + MULTIPART_SLACK) throw tooLarge(max);
    const type = c.req.header('content-type') ?? '';
    if (!type.startsWith('multipart/form-data')) {
      throw new DomainError('validation_failed', 'Send the image as multipart/form-data in the field "file".', { file: 'Required.' });
    }
    const body = await c.req.parseBody();
    const file = body.file;
    if (!(file instanceof File) || file.size === 0) throw new DomainError('validation_failed', 'Choose an image file to upload.', { file: 'Choose a file.' });
    if (file.size > max) throw tooLarge(max);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const image = detectImageType(bytes);
    if (!image) {
      throw new DomainError(
        'unsupported_media_type',
        'Only PNG, JPEG, GIF, WebP and AVIF images can be uploaded; this file is none of them. (SVG is refused because it can carry scripts.)',
        { file: 'Not a PNG, JPEG, GIF, WebP or AVIF image.' },
      );
    }
    const hash = createHash('sha256').update(bytes).digest('hex');
    await store.uploads.save({
      hash,
      mime: image.mime,
      size: bytes.length,
      originalName: (file.name || `image.${image.ext}`).replace(/[\u0000-\u001f]/g, '').slice(0, 200),
      data: bytes,
      uploaderId: user.id,
      createdAt: clock.now(),
    });
    const url = `/uploads/${hash}.${image.ext}`;
    const markdown = `![${altText(body.alt, file.name)}](${url})`;
    if (wantsJson(c)) return c.json({ url, markdown }, 201);
    return redirectWithNotice(c, '/admin/uploads', 'uploaded', { file: `${hash}.${image.ext}` });
  });

  return app;
}
