import { uploadHashesIn, uploadUrl, variantUrl } from '../core/media.ts';
import { focusableScrollables } from './scrollable-blocks.ts';
import type { Post, UploadImage, UploadRepository } from '../core/store.ts';
import { escapeHtml } from './html.ts';

/**
 * Uploaded images in a post, laid out when the page is served (so posts written before
 * the media library benefit too): each `<img>` of an upload gets its width and height (the
 * browser keeps its place: no layout shift), and a `srcset` of its WebP variants with
 * `sizes` for the text column; an upload with a caption that stands alone in its
 * paragraph becomes a `<figure>` with that caption. Images from elsewhere are left as they are.
 */

/** The text column of the default theme (the cover spans it too): 40rem less 1.25rem of padding each side, or the screen less that padding. */
export const CONTENT_SIZES = '(min-width: 40rem) 37.5rem, calc(100vw - 2.5rem)';

const IMG = /<img\b[^>]*>/g;
const UPLOAD_SRC = /\ssrc="\/uploads\/([0-9a-f]{64})\.[a-z]+"/;
const LONE_IMG = /<p>\s*(<img\b[^>]*>)\s*<\/p>/g;

/** `srcset` candidates: each variant, then the original at its own width. */
export function srcsetFor(image: UploadImage): string | null {
  if (image.variantWidths.length === 0 || !image.width) return null;
  return [...image.variantWidths.map((w) => `${variantUrl(image.hash, w)} ${w}w`), `${uploadUrl(image)} ${image.width}w`].join(', ');
}

function layOutImg(tag: string, images: Map<string, UploadImage>): string {
  const hash = UPLOAD_SRC.exec(tag)?.[1];
  const image = hash ? images.get(hash) : undefined;
  if (!image) return tag;
  const extra: string[] = [];
  // Sizes the author wrote by hand stay theirs.
  if (image.width && image.height && !/\s(?:width|height)="/.test(tag)) extra.push(`width="${image.width}" height="${image.height}"`);
  const srcset = srcsetFor(image);
  if (srcset && !/\ssrcset="/.test(tag)) extra.push(`srcset="${srcset}" sizes="${CONTENT_SIZES}"`);
  if (!/\sdecoding="/.test(tag)) extra.push('decoding="async"');
  return extra.length === 0 ? tag : tag.replace(/\s*\/?>$/, ` ${extra.join(' ')}>`);
}

/** The post's sanitised HTML with its uploaded images laid out (see above). Pure: `images` holds what the store knows. */
export function layOutImages(html: string, images: Map<string, UploadImage>): string {
  if (images.size === 0) return html;
  const captioned = html.replace(LONE_IMG, (paragraph, img: string) => {
    const hash = UPLOAD_SRC.exec(img)?.[1];
    const caption = hash ? images.get(hash)?.caption : '';
    return caption ? `<figure>${img}<figcaption>${escapeHtml(caption)}</figcaption></figure>` : paragraph;
  });
  return captioned.replace(IMG, (tag) => layOutImg(tag, images));
}

export interface ServedImages {
  /** The post's HTML with its uploads laid out. */
  html: string;
  /** The cover's srcset when it is an upload with variants. */
  coverSrcset: string | null;
}

/** Looks up the uploads a post shows (one query, none when it shows none) and lays them out. */
export async function servedImages(post: Pick<Post, 'html' | 'coverImage'>, uploads: Pick<UploadRepository, 'images'>): Promise<ServedImages> {
  const inText = post.html.includes('/uploads/') ? uploadHashesIn(post.html) : new Set<string>();
  const cover = post.coverImage?.startsWith('/uploads/') ? [...uploadHashesIn(post.coverImage)][0] : undefined;
  if (inText.size === 0 && !cover) return { html: focusableScrollables(post.html), coverSrcset: null };
  const images = await uploads.images([...inText, ...(cover ? [cover] : [])]);
  const coverImage = cover ? images.get(cover) : undefined;
  return { html: focusableScrollables(layOutImages(post.html, images)), coverSrcset: coverImage ? srcsetFor(coverImage) : null };
}
