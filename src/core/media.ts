import { createHash } from 'node:crypto';
import { DomainError, notFound } from './errors.ts';
import type { JobWrite } from './jobs.ts';
import type { Clock } from './clock.ts';
import type { Store, UploadInfo, UploadUse, UploadVariant } from './store.ts';

/** The raster formats accepted, told by their first bytes. */
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

const extensions: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'image/avif': 'avif' };

/** Where an upload is served: its content address. */
export const uploadUrl = (u: Pick<UploadInfo, 'hash' | 'mime'>): string => `/uploads/${u.hash}.${extensions[u.mime] ?? 'bin'}`;

/** Where a variant is served (always WebP). */
export const variantUrl = (hash: string, width: number): string => `/uploads/${hash}-${width}.webp`;

/** The widths variants are made at; an image gets those narrower than itself (never upscaled). */
export const VARIANT_WIDTHS = [480, 960, 1600] as const;

export const variantWidthsFor = (width: number): number[] => VARIANT_WIDTHS.filter((w) => w < width);

/** Largest image decoded, in pixels: more is refused (a small file can hold a huge image). */
export const MAX_IMAGE_PIXELS = 50_000_000;

/** The background job that makes an upload's variants; its key is per upload. */
export const UPLOAD_VARIANTS_JOB = 'upload-variants';
export const variantsJob = (hash: string): JobWrite => ({ kind: UPLOAD_VARIANTS_JOB, key: `${UPLOAD_VARIANTS_JOB}:${hash}`, payload: { hash } });

const HASH_IN_TEXT = /\/uploads\/([0-9a-f]{64})(?:-\d+)?\.[a-z]+/g;

/** The uploads a text names (Markdown, HTML or an address), by hash. */
export function uploadHashesIn(text: string): Set<string> {
  return new Set([...text.matchAll(HASH_IN_TEXT)].map((m) => m[1]));
}

export const ALT_MAX = 1000;
export const CAPTION_MAX = 1000;

/** Plain text on one line: controls and surrounding space dropped. */
function plainLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** The decoded and re-encoded image: what is stored in place of what was sent. */
export interface CleanImage {
  bytes: Uint8Array;
  mime: string;
  width: number;
  height: number;
  /** More than one frame (an animated GIF or WebP): kept whole, no variants. */
  animated: boolean;
}

/**
 * Decodes and encodes images (the adapter is sharp, loaded on first use). Throws a
 * DomainError (422) for a file that is not the image it starts like, or is too large in pixels.
 */
export interface ImageProcessor {
  /** Decodes `bytes` (of `type`) and encodes them again in the same format: orientation applied, metadata other than the colour profile dropped (so EXIF GPS is gone). */
  clean(bytes: Uint8Array, type: ImageType): Promise<CleanImage>;
  /** One WebP copy per width (the widths are narrower than the image); none for an animated image, kept whole. */
  variants(bytes: Uint8Array, widths: number[]): Promise<UploadVariant[]>;
}

export interface MediaLibraryDeps {
  store: Store;
  clock: Clock;
  images: ImageProcessor;
  enqueue: (job: JobWrite) => Promise<unknown>;
  /** Pages show alt text, captions and variants: a change clears their caches. */
  publish: (topic: string) => void;
}

export interface NewUpload {
  bytes: Uint8Array;
  fileName: string;
  alt: string;
  uploaderId: number;
}

/** The owner changes any upload; an author only those they uploaded. */
export const canChangeUpload = (user: { id: number; role: string }, upload: Pick<UploadInfo, 'uploaderId'>): boolean => user.role === 'owner' || upload.uploaderId === user.id;
export const UPLOAD_NOT_YOURS = 'Authors may change only the images they uploaded; ask the owner.';

export type RemoveResult = { removed: true } | { removed: false; reason: 'in-use'; uses: UploadUse[] };

/**
 * The media library: uploads come in cleaned (decoded and encoded again), get their
 * variants from the job queue, carry alt text and a caption, and leave only when no post
 * shows them (or the author insists).
 */
export class MediaLibrary {
  private readonly deps: MediaLibraryDeps;

  constructor(deps: MediaLibraryDeps) {
    this.deps = deps;
  }

  async upload(input: NewUpload): Promise<UploadInfo> {
    const type = detectImageType(input.bytes);
    if (!type) {
      throw new DomainError(
        'unsupported_media_type',
        'Only PNG, JPEG, GIF, WebP and AVIF images can be uploaded; this file is none of them. (SVG is refused because it can carry scripts.)',
        { file: 'Not a PNG, JPEG, GIF, WebP or AVIF image.' },
      );
    }
    const clean = await this.deps.images.clean(input.bytes, type);
    const hash = createHash('sha256').update(clean.bytes).digest('hex');
    const ext = extensions[clean.mime];
    const name = plainLine(input.fileName).slice(0, 200) || `image.${ext}`;
    const saved = await this.deps.store.uploads.save({
      hash,
      mime: clean.mime,
      size: clean.bytes.length,
      originalName: name,
      data: clean.bytes,
      uploaderId: input.uploaderId,
      createdAt: this.deps.clock.now(),
      width: clean.width,
      height: clean.height,
      alt: plainLine(input.alt).slice(0, ALT_MAX),
      caption: '',
    });
    await this.deps.enqueue(variantsJob(hash));
    return saved;
  }

  async describe(hash: string, text: { alt: string; caption: string }): Promise<UploadInfo> {
    const alt = plainLine(text.alt);
    const caption = plainLine(text.caption);
    const fields: Record<string, string> = {};
    if (alt.length > ALT_MAX) fields.alt = `At most ${ALT_MAX} characters.`;
    if (caption.length > CAPTION_MAX) fields.caption = `At most ${CAPTION_MAX} characters.`;
    if (Object.keys(fields).length > 0) throw new DomainError('validation_failed', 'The alt text or caption is too long.', fields);
    const updated = await this.deps.store.uploads.describe(hash, { alt, caption });
    if (!updated) throw notFound('The upload');
    this.deps.publish('uploads-changed');
    return updated;
  }

  /** Deletes an upload no post shows; one that is shown only when `force`, else says where. */
  async remove(hash: string, force: boolean): Promise<RemoveResult> {
    const { store } = this.deps;
    if (!(await store.uploads.info(hash))) throw notFound('The upload');
    if (!force) {
      const uses = (await store.uploads.usage([hash])).get(hash) ?? [];
      if (uses.length > 0) return { removed: false, reason: 'in-use', uses };
    }
    await store.uploads.delete(hash);
    this.deps.publish('uploads-changed');
    return { removed: true };
  }

  /** The job: the variants of one upload (none for an animated image or a small one). A deleted upload has nothing to do. */
  async makeVariants(hash: string): Promise<number> {
    const { store, images, clock } = this.deps;
    const upload = await store.uploads.find(hash);
    if (!upload) return 0;
    let { width, height } = upload;
    if (width === null || height === null) {
      // An upload from before migration 022: its size is learnt by decoding it (what is stored stays as it is).
      const type = detectImageType(upload.data);
      if (!type) return 0;
      ({ width, height } = await images.clean(upload.data, type));
    }
    const variants = await images.variants(upload.data, variantWidthsFor(width));
    await store.uploads.saveVariants(hash, { width, height }, variants, clock.now());
    this.deps.publish('uploads-changed');
    return variants.length;
  }
}
