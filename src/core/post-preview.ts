import { DomainError } from './errors.ts';
import { renderPostMarkdown } from './render-markdown.ts';
import { automaticExcerpt, plainText } from './text.ts';

/** The longest Markdown a preview renders (the editor's live preview and the API's). */
export const PREVIEW_MAX_CHARS = 500_000;

/** Reading speed behind "N min read" (as the editor's word count says it). */
export const WORDS_PER_MINUTE = 230;

export interface PostPreview {
  /** Sanitised HTML, as the post would be saved with. */
  html: string;
  /** The excerpt lists and cards use when the author writes none. */
  excerpt: string;
  /** Words of the text as readers see it. */
  words: number;
  /** Minutes to read it, at least 1. */
  minutes: number;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });

/** Words in `text` (Unicode word segmentation: punctuation and spaces are not words). */
export function countWords(text: string): number {
  let n = 0;
  for (const part of segmenter.segment(text)) if (part.isWordLike) n += 1;
  return n;
}

/**
 * Renders `markdown` through the post pipeline without saving anything: Admin → Posts'
 * live preview and `POST /api/preview`. Refuses what is not text, or too long, in words.
 */
export async function previewMarkdown(markdown: unknown): Promise<PostPreview> {
  if (typeof markdown !== 'string') throw new DomainError('validation_failed', 'Send JSON like {"markdown": "Some *text*"}.', { markdown: 'Required.' });
  if (markdown.length > PREVIEW_MAX_CHARS) throw new DomainError('payload_too_large', 'The text is longer than 500,000 characters.');
  const html = await renderPostMarkdown(markdown);
  const words = countWords(plainText(html));
  return { html, excerpt: automaticExcerpt(html), words, minutes: Math.max(1, Math.round(words / WORDS_PER_MINUTE)) };
}
