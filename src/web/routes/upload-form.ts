import type { Context } from 'hono';
import { DomainError } from '../../core/errors.ts';
import type { AppEnv } from '../context.ts';

/** Room for the multipart framing and the other small fields around the file. */
const MULTIPART_SLACK = 64 * 1024;

function tooLarge(max: number): DomainError {
  const mb = Math.round((max / 1024 / 1024) * 10) / 10;
  return new DomainError('payload_too_large', `That file is larger than the ${mb} MB limit. Make the image smaller (for example 2000 pixels wide) and try again.`);
}

/**
 * The image of an upload form (Admin → Uploads and POST /api/uploads): multipart/form-data
 * with the file in "file" and optional alt text in "alt". A body that says it is too large
 * is refused before it is read; the file itself is checked against UPLOAD_MAX_BYTES. The
 * bytes are then the media library's to decode and encode again (core/media.ts).
 */
export async function readUploadForm(c: Context<AppEnv>): Promise<{ bytes: Uint8Array; fileName: string; alt: string }> {
  const max = c.get('deps').config.uploadMaxBytes;
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
  return { bytes: new Uint8Array(await file.arrayBuffer()), fileName: file.name, alt: typeof body.alt === 'string' ? body.alt : '' };
}
