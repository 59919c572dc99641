import type { Sharp, SharpOptions } from 'sharp';
import { DomainError } from '../../core/errors.ts';
import { MAX_IMAGE_PIXELS, type CleanImage, type ImageProcessor, type ImageType } from '../../core/media.ts';
import type { UploadVariant } from '../../core/store.ts';

type SharpModule = typeof import('sharp').default;

let loaded: Promise<SharpModule> | null = null;

/**
 * sharp (libvips) on first use: never at start-up, since serving pages does not need it.
 * One image at a time and no operation cache, so its native memory stays small beside the
 * server's (ARCHITECTURE.md, "Memory").
 */
function loadSharp(): Promise<SharpModule> {
  loaded ??= import('sharp').then(({ default: sharp }) => {
    sharp.concurrency(1);
    sharp.cache(false);
    return sharp;
  });
  return loaded;
}

const names: Record<string, string> = { 'image/png': 'PNG', 'image/jpeg': 'JPEG', 'image/gif': 'GIF', 'image/webp': 'WebP', 'image/avif': 'AVIF' };

function unreadable(type: ImageType): DomainError {
  const name = names[type.mime] ?? 'an image';
  return new DomainError(
    'validation_failed',
    `This file starts like a ${name} image but is not one that can be read (it may be damaged, or another kind of file renamed). It was not uploaded.`,
    { file: `Not a readable ${name} image.` },
  );
}

function tooManyPixels(width: number, height: number): DomainError {
  return new DomainError(
    'validation_failed',
    `This image is ${width} × ${height} pixels, more than the ${MAX_IMAGE_PIXELS / 1_000_000} megapixels accepted. Make it smaller (for example 4000 pixels wide) and try again.`,
    { file: 'Too many pixels.' },
  );
}

/** The same format again; quality high enough that a second encoding is not seen. */
function encode(image: Sharp, mime: string): Sharp {
  switch (mime) {
    case 'image/png':
      return image.png({ compressionLevel: 9 });
    case 'image/jpeg':
      return image.jpeg({ quality: 90 });
    case 'image/gif':
      return image.gif();
    case 'image/webp':
      return image.webp({ quality: 90 });
    default:
      return image.avif({ quality: 70, effort: 2 });
  }
}

/** The ImageProcessor on sharp. */
export class SharpImages implements ImageProcessor {
  async clean(bytes: Uint8Array, type: ImageType): Promise<CleanImage> {
    const sharp = await loadSharp();
    const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const options: SharpOptions = { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error', animated: type.mime === 'image/gif' || type.mime === 'image/webp' };
    let meta;
    try {
      meta = await sharp(input, { ...options, limitInputPixels: false }).metadata();
    } catch {
      throw unreadable(type);
    }
    // What the header says must be what the first bytes said (a GIF named by a PNG signature is not one).
    const format = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp', 'image/avif': 'heif' }[type.mime];
    if (meta.format !== format || !meta.width || !meta.height) throw unreadable(type);
    const frameHeight = meta.pageHeight ?? meta.height;
    if (meta.width * frameHeight > MAX_IMAGE_PIXELS) throw tooManyPixels(meta.width, frameHeight);
    const animated = (meta.pages ?? 1) > 1;
    try {
      // autoOrient turns the pixels as EXIF says; everything but the colour profile is then left behind.
      const image = encode(sharp(input, { ...options, animated, autoOrient: !animated }).keepIccProfile(), type.mime);
      const { data, info } = await image.toBuffer({ resolveWithObject: true });
      return { bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), mime: type.mime, width: info.width, height: info.pageHeight ?? info.height, animated };
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw unreadable(type);
    }
  }

  async variants(bytes: Uint8Array, widths: number[]): Promise<UploadVariant[]> {
    const sharp = await loadSharp();
    const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const meta = await sharp(input, { limitInputPixels: MAX_IMAGE_PIXELS }).metadata();
    if ((meta.pages ?? 1) > 1) return [];
    const variants: UploadVariant[] = [];
    // One at a time: each decodes the original again (JPEG shrinks while decoding), so only one image is in memory.
    for (const width of widths) {
      const { data, info } = await sharp(input, { limitInputPixels: MAX_IMAGE_PIXELS, autoOrient: true })
        .resize({ width, withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer({ resolveWithObject: true });
      variants.push({ width: info.width, height: info.height, mime: 'image/webp', data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    }
    return variants;
  }
}
