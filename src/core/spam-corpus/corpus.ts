import fs from 'node:fs';

/** One comment of the team's labelled corpus, with the commenter fields a form sends. */
export interface LabelledComment {
  text: string;
  label: 'spam' | 'ham';
  name?: string;
  email?: string;
  url?: string;
}

/**
 * The labelled comments the team wrote: `train` seeds an empty filter at first start;
 * `heldout` is only for `npm run eval:spam` and must never be learned from, or the figures
 * it reports mean nothing.
 */
export function loadSpamCorpus(part: 'train' | 'heldout'): LabelledComment[] {
  const file = new URL(`./${part}.json`, import.meta.url);
  const data: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(data)) throw new Error(`${file.pathname} must hold a JSON array of comments`);
  return data.map((entry, index) => {
    const e = entry as Partial<LabelledComment>;
    if (typeof e?.text !== 'string' || (e.label !== 'spam' && e.label !== 'ham')) {
      throw new Error(`${file.pathname}, entry ${index}: needs "text" and a "label" of "spam" or "ham"`);
    }
    return e as LabelledComment;
  });
}
