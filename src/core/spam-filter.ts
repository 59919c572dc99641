import type { SpamModelRepository } from './store.ts';
import { countLinks } from './spam-signals.ts';
import { loadSpamCorpus, type LabelledComment } from './spam-corpus/corpus.ts';

/**
 * The statistical layer of spam defence: a naive Bayes filter that learns from the
 * moderator's approve and spam decisions. Token probabilities follow Gary Robinson's
 * smoothing and are combined with Fisher's chi-square method (as SpamBayes does), which
 * on the team's held-out corpus separates better than Graham's product and leaves
 * genuinely unsure comments near 0.5 instead of forcing them to an extreme.
 *
 * The counting lives behind SpamModelRepository; everything here except the SpamFilter
 * class is pure and testable with plain numbers.
 */

export type SpamLabel = 'spam' | 'ham';

/** A comment as the filter sees it: the body (Markdown) and what the commenter typed in the form. */
export interface SpamDocument {
  text: string;
  name?: string | null;
  /** Accepted for convenience; not tokenized (an address says little and is easy to vary). */
  email?: string | null;
  url?: string | null;
}

/** One change to the model's counts: a document's tokens learned (+1) or unlearned (-1) under a label. */
export interface SpamLesson {
  tokens: string[];
  label: SpamLabel;
  delta: 1 | -1;
}

/**
 * Applies lessons to counts held in memory exactly as the stores apply them: each distinct
 * token counts once per document, no count goes below zero, and a token whose counts both
 * reach zero is gone.
 */
export function applyLessons(lessons: SpamLesson[], totals: TokenCounts, tokens: Map<string, TokenCounts>, onlyKnown = false): void {
  for (const { tokens: list, label, delta } of lessons) {
    totals[label] = Math.max(0, totals[label] + delta);
    for (const token of new Set(list)) {
      const entry = tokens.get(token);
      if (entry) {
        entry[label] = Math.max(0, entry[label] + delta);
        if (entry.spam === 0 && entry.ham === 0) tokens.delete(token);
      } else if (delta === 1 && !onlyKnown) {
        tokens.set(token, { spam: label === 'spam' ? 1 : 0, ham: label === 'ham' ? 1 : 0 });
      }
    }
  }
}

/** At or above: straight to the spam folder (restorable, never deleted). */
export const SPAM_THRESHOLD = 0.9;
/** At or above (and below SPAM_THRESHOLD): held for the moderator. */
export const HOLD_THRESHOLD = 0.5;

/** What the product does with a score: 'spam' folder, 'hold' for moderation, or let it 'pass'. */
export function spamVerdict(score: number): 'spam' | 'hold' | 'pass' {
  if (score >= SPAM_THRESHOLD) return 'spam';
  if (score >= HOLD_THRESHOLD) return 'hold';
  return 'pass';
}

/** Documents of each label the model needs before its scores are worth acting on. */
export const MIN_TRAINING_DOCUMENTS = 10;

// ---------------------------------------------------------------- tokenizer

const minWordLength = 2;
const maxWordLength = 30;

/** URLs with a scheme (including the defanged hxxp://), or starting www. */
const urlPattern = /\b(?:(?:https?|hxxps?|ftp):\/\/|www\.)[^\s<>"'`()[\]{}]+/giu;
/** Bare domains people type without a scheme: word.tld, word.co.uk, t.me/… */
const domainPattern = /\b(?:[\p{L}\p{N}-]+\.)+(?:com|net|org|info|biz|ru|xyz|top|shop|site|online|club|io|me|ly|co|uk|in|de|su|pw|cc|tk|link|click|live|store|vip)\b(?:\/[^\s<>"'`()[\]{}]*)?/giu;
const wordPattern = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*/gu;
/** Scripts written without spaces between words: split into character pairs instead. */
const unspacedScript = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const scripts: Array<[string, RegExp]> = [
  ['latin', /\p{Script=Latin}/u],
  ['cyrillic', /\p{Script=Cyrillic}/u],
  ['greek', /\p{Script=Greek}/u],
  ['han', /\p{Script=Han}/u],
  ['kana', /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ['hangul', /\p{Script=Hangul}/u],
  ['thai', /\p{Script=Thai}/u],
  ['arabic', /\p{Script=Arabic}/u],
  ['hebrew', /\p{Script=Hebrew}/u],
  ['devanagari', /\p{Script=Devanagari}/u],
];
/** Digits standing in for letters ("v1agra", "ch3ap"). */
const leet: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't' };

function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

const ascii = /^[\x00-\x7f]*$/;
const asciiLetter = /[a-z]/i;
const latinOnly: readonly string[] = ['latin'];
const noScript: readonly string[] = [];

/** The scripts a word's letters belong to (plain ASCII, most words, without a pass per script). */
function scriptsOf(word: string): readonly string[] {
  if (ascii.test(word)) return asciiLetter.test(word) ? latinOnly : noScript;
  return scripts.filter(([, pattern]) => pattern.test(word)).map(([name]) => name);
}

/** Undoes the usual ways of hiding a link from filters: hxxp, [.] and (dot), d o t t e d letters. */
function deobfuscate(text: string, out: Set<string>): string {
  // " dot " only counts before something that looks like a top-level domain ("polka dot dress" stays).
  let result = text.replace(/\s*(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\s+dot\s+(?=(?:com|net|org|info|ru|xyz|top|shop|site|online|biz|io|co)\b))\s*/giu, () => {
    out.add('obfuscated:dot');
    return '.';
  });
  result = result.replace(/\bhxxp(s?):\/\//giu, (_m, s: string) => {
    out.add('obfuscated:hxxp');
    return `http${s}://`;
  });
  result = result.replace(/\s+slash\s+/giu, () => {
    out.add('obfuscated:slash');
    return '/';
  });
  // "w w w . c h e a p . c o m": four or more single characters in a row, spaced out.
  result = result.replace(/(?<![\p{L}\p{N}])(?:[\p{L}\p{N}.-] ){3,}[\p{L}\p{N}](?![\p{L}\p{N}])/gu, (match) => {
    out.add('obfuscated:spaced');
    return match.replace(/ /g, '').replace(/\.{2,}/g, '.');
  });
  return result;
}

/** Host tokens for a URL: the host itself, its registrable part, the TLD and the words in it. */
function hostTokens(rawUrl: string, prefix: string, out: Set<string>): string[] {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(rawUrl) ? rawUrl : `http://${rawUrl}`);
  } catch {
    out.add(`${prefix}:unparsable`);
    return [];
  }
  const host = url.hostname.replace(/^www\./, '').replace(/\.$/, '');
  const labels = host.split('.');
  out.add(`${prefix}:${host}`);
  if (labels.length > 2) out.add(`${prefix}:${labels.slice(-2).join('.')}`);
  out.add(`tld:${labels[labels.length - 1]}`);
  if (/^\d+(?:\.\d+){3}$/.test(host)) out.add('host:ip-address');
  if (host.startsWith('xn--') || host.includes('.xn--')) out.add('host:punycode');
  if (/^(?:bit\.ly|tinyurl\.com|t\.co|goo\.gl|is\.gd|cutt\.ly|rb\.gy|t\.me|ow\.ly)$/.test(host)) out.add('host:shortener');
  // Words in the host and path ("cheap-meds-online", "/buy-viagra") speak for the link's purpose.
  const words = `${labels.slice(0, -1).join(' ')} ${decodeSafely(url.pathname)}`.match(wordPattern) ?? [];
  return words.filter((w) => w.length >= 3 && w.length <= maxWordLength && !/^\d+$/.test(w));
}

function decodeSafely(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function linkBucket(count: number): string {
  if (count <= 2) return `links:${count}`;
  return count <= 4 ? 'links:3-4' : 'links:5+';
}

function lengthBucket(words: number): string {
  if (words <= 5) return 'words:1-5';
  if (words <= 15) return 'words:6-15';
  return words <= 40 ? 'words:16-40' : 'words:41+';
}

/** A word's tokens: itself, or character pairs for scripts without spaces, plus its leet-free spelling. */
function wordTokens(word: string): string[] {
  const isAscii = ascii.test(word);
  if (!isAscii && unspacedScript.test(word)) {
    const chars = [...word];
    if (chars.length === 1) return [];
    return chars.slice(0, -1).map((c, i) => c + chars[i + 1]);
  }
  const length = isAscii ? word.length : [...word].length;
  if (length < minWordLength || length > maxWordLength) return [];
  if (/^\d+$/.test(word)) return [`number:${Math.min(word.length, 6)}`];
  const tokens = [word];
  if (/\p{L}/u.test(word) && /\d/.test(word)) {
    const plain = word.replace(/[013457]/g, (d) => leet[d]);
    if (plain !== word && /^\p{L}+$/u.test(plain)) tokens.push(plain);
  }
  return tokens;
}

/** The words of some prose, lower case, in order (for unigrams and bigrams). */
function proseWords(text: string): string[] {
  return text.match(wordPattern) ?? [];
}

/**
 * The tokens of a comment: its words (and adjacent word pairs), the hosts and words of
 * its links, how many links it has, the words of the commenter's name and website, and a
 * few shape signals (shouting, phone numbers, money, foreign scripts, obfuscation, pasted
 * HTML or BBCode). Deterministic, so unlearning a document removes exactly what learning
 * it added. Duplicates are removed.
 */
export function tokenize(input: string | SpamDocument): string[] {
  const doc: SpamDocument = typeof input === 'string' ? { text: input } : input;
  const out = new Set<string>();
  const raw = doc.text ?? '';

  out.add(linkBucket(countLinks(raw)));
  if (/<a\s[^>]*href/i.test(raw)) out.add('markup:html-link');
  if (/\[url[=\]]/i.test(raw)) out.add('markup:bbcode');
  if (/\{[^{}|]+\|[^{}]+\}/.test(raw)) out.add('markup:spintax');
  if (/\]\(\s*<?https?:/i.test(raw)) out.add('markup:markdown-link');
  if (/!{2,}/.test(raw)) out.add('shape:exclamations');
  if (/\?{2,}/.test(raw)) out.add('shape:questions');
  if (/\p{Extended_Pictographic}/u.test(raw)) out.add('shape:emoji');
  if (/(?:^|\s)\+?\d[\d\s().-]{8,}\d/.test(raw)) out.add('shape:phone-number');
  if (/[$€£¥₹]\s?\d|\d\s?(?:[$€£¥₹]|usd|eur|btc|eth|usdt)\b/i.test(raw)) out.add('shape:money');
  if (/\b(?:whatsapp|telegram|wechat|微信)\b/i.test(raw)) out.add('shape:messenger');
  const shouted = raw.match(/\b\p{Lu}{3,}\b/gu)?.length ?? 0;
  if (shouted >= 2) out.add('shape:shouting');

  let text = deobfuscate(normalize(raw), out);
  // Links become host tokens and the words of their address; the rest is prose.
  const linkWords: string[] = [];
  text = text.replace(urlPattern, (url) => {
    linkWords.push(...hostTokens(url.replace(/[.,;:!?]+$/, ''), 'host', out));
    return ' ';
  });
  text = text.replace(domainPattern, (domain) => {
    out.add('shape:bare-domain');
    linkWords.push(...hostTokens(domain, 'host', out));
    return ' ';
  });
  for (const word of linkWords) out.add(`urlword:${word}`);

  const words = proseWords(text);
  out.add(lengthBucket(words.length));
  const found = new Set<string>();
  const wordTokenLists = words.map(wordTokens);
  for (const [i, tokens] of wordTokenLists.entries()) {
    for (const token of tokens) out.add(token);
    const wordScripts = scriptsOf(words[i]);
    for (const script of wordScripts) found.add(script);
    // One word in two alphabets is a homoglyph trick ("сasino" with a Cyrillic с).
    if (wordScripts.length > 1 && (wordScripts.includes('latin') || wordScripts.includes('cyrillic') || wordScripts.includes('greek'))) {
      out.add('shape:mixed-script-word');
    }
  }
  for (const script of found) if (script !== 'latin') out.add(`script:${script}`);
  // Word pairs carry phrases ("free spins", "no prescription", "thanks for") that single words miss.
  for (let i = 0; i + 1 < words.length; i++) {
    const [a, b] = [wordTokenLists[i][0], wordTokenLists[i + 1][0]];
    if (a && b && (ascii.test(a) || !unspacedScript.test(a)) && (ascii.test(b) || !unspacedScript.test(b))) out.add(`${a} ${b}`);
  }

  const name = normalize(doc.name ?? '').trim();
  if (name) {
    const nameWords = proseWords(name);
    for (const word of nameWords) for (const token of wordTokens(word)) out.add(`name:${token}`);
    out.add(`name:words:${Math.min(nameWords.length, 4)}`);
    if (/\d/.test(name)) out.add('name:has-digit');
  }
  const site = (doc.url ?? '').trim();
  if (site) {
    out.add('site:given');
    for (const word of hostTokens(normalize(site), 'site', out)) out.add(`siteword:${word}`);
  }
  return [...out];
}

// ---------------------------------------------------------------- scoring (pure)

export interface TokenCounts {
  spam: number;
  ham: number;
}

export interface ScoringOptions {
  /** 'fisher' (default): Robinson probabilities, chi-square combining. 'graham': Paul Graham's original. */
  method?: 'fisher' | 'graham';
  /** Robinson's s: how strongly the prior x holds against little evidence. */
  strength?: number;
  /** Robinson's x: the probability assumed for a token never seen. */
  prior?: number;
  /** Tokens whose probability lies within this distance of 0.5 are ignored. */
  minimumDeviation?: number;
  /** At most this many of the most telling tokens are combined. */
  maxClues?: number;
}

export interface Clue {
  token: string;
  /** Probability that a document containing this token is spam. */
  probability: number;
}

export interface Classification {
  /** Probability in [0, 1] that the document is spam; 0.5 when the model knows nothing. */
  score: number;
  /** The tokens that decided it, most telling first. */
  clues: Clue[];
}

/** Robinson's smoothed probability that a document with this token is spam. */
export function tokenProbability(counts: TokenCounts, totals: TokenCounts, strength = 0.45, prior = 0.5): number {
  const spamRatio = totals.spam > 0 ? Math.min(1, counts.spam / totals.spam) : 0;
  const hamRatio = totals.ham > 0 ? Math.min(1, counts.ham / totals.ham) : 0;
  const n = counts.spam + counts.ham;
  if (spamRatio + hamRatio === 0) return prior;
  const p = spamRatio / (spamRatio + hamRatio);
  return (strength * prior + n * p) / (strength + n);
}

/** P(chi² ≥ x²) with v (even) degrees of freedom. */
function chi2Q(x2: number, v: number): number {
  const m = x2 / 2;
  let term = Math.exp(-m);
  let sum = term;
  for (let i = 1; i < v / 2; i++) {
    term *= m / i;
    sum += term;
  }
  return Math.min(sum, 1);
}

function fisher(clues: Clue[]): number {
  if (clues.length === 0) return 0.5;
  let lnSpam = 0;
  let lnHam = 0;
  for (const { probability } of clues) {
    lnHam += Math.log(probability);
    lnSpam += Math.log(1 - probability);
  }
  const v = 2 * clues.length;
  const spamminess = 1 - chi2Q(-2 * lnSpam, v);
  const hamminess = 1 - chi2Q(-2 * lnHam, v);
  return (1 + spamminess - hamminess) / 2;
}

function graham(tokens: string[], counts: Map<string, TokenCounts>, totals: TokenCounts, maxClues: number): Classification {
  const clues: Clue[] = tokens.map((token) => {
    const c = counts.get(token) ?? { spam: 0, ham: 0 };
    const good = 2 * c.ham;
    if (good + c.spam < 5) return { token, probability: 0.4 };
    const b = Math.min(1, c.spam / Math.max(1, totals.spam));
    const g = Math.min(1, good / Math.max(1, totals.ham));
    return { token, probability: Math.max(0.01, Math.min(0.99, b / (g + b))) };
  });
  clues.sort((a, b) => Math.abs(b.probability - 0.5) - Math.abs(a.probability - 0.5) || (a.token < b.token ? -1 : a.token > b.token ? 1 : 0));
  const top = clues.slice(0, maxClues);
  if (top.length === 0) return { score: 0.5, clues: [] };
  let logSpam = 0;
  let logHam = 0;
  for (const { probability } of top) {
    logSpam += Math.log(probability);
    logHam += Math.log(1 - probability);
  }
  return { score: 1 / (1 + Math.exp(logHam - logSpam)), clues: top };
}

/**
 * How likely a document with these tokens is spam, from the model's counts. Pure: pass
 * the counts of (some of) the tokens and the number of documents learned per label.
 */
export function classify(tokens: string[], counts: Map<string, TokenCounts>, totals: TokenCounts, options: ScoringOptions = {}): Classification {
  const unique = [...new Set(tokens)];
  if (totals.spam === 0 || totals.ham === 0) return { score: 0.5, clues: [] };
  if (options.method === 'graham') return graham(unique, counts, totals, options.maxClues ?? 15);
  const { strength = 0.45, prior = 0.5, minimumDeviation = 0.1, maxClues = 150 } = options;
  const clues: Clue[] = [];
  for (const token of unique) {
    const c = counts.get(token);
    if (!c) continue;
    const probability = tokenProbability(c, totals, strength, prior);
    if (Math.abs(probability - 0.5) >= minimumDeviation) clues.push({ token, probability });
  }
  clues.sort((a, b) => Math.abs(b.probability - 0.5) - Math.abs(a.probability - 0.5) || (a.token < b.token ? -1 : a.token > b.token ? 1 : 0));
  const top = clues.slice(0, maxClues);
  return { score: fisher(top), clues: top };
}

// ---------------------------------------------------------------- the filter

/**
 * The filter over its stored model. Learning happens on the moderator's decisions: learn
 * the label given; when a decision is reversed, unlearn the old label, then learn the new
 * one (or call `reclassify`). Use the store a transaction hands out to make learning part
 * of the moderation write.
 */
export class SpamFilter {
  private readonly model: SpamModelRepository;
  private readonly options: ScoringOptions;

  constructor(model: SpamModelRepository, options: ScoringOptions = {}) {
    this.model = model;
    this.options = options;
  }

  /** Probability in [0, 1] that the comment is spam (0.5 while the model is empty). */
  async score(doc: string | SpamDocument): Promise<number> {
    return (await this.classify(doc)).score;
  }

  /** The score with the tokens that decided it, for logs and the evaluation. */
  async classify(doc: string | SpamDocument): Promise<Classification> {
    const tokens = tokenize(doc);
    const [counts, totals] = await Promise.all([this.model.tokenCounts(tokens), this.model.totals()]);
    return classify(tokens, counts, totals, this.options);
  }

  async learn(doc: string | SpamDocument, label: SpamLabel): Promise<void> {
    await this.model.learn(tokenize(doc), label, 1);
  }

  /** Takes back an earlier `learn` of the same comment under `label`. */
  async unlearn(doc: string | SpamDocument, label: SpamLabel): Promise<void> {
    await this.model.learn(tokenize(doc), label, -1);
  }

  /** A moderator reversed a decision the filter had learned: `from` becomes `to`. */
  async reclassify(doc: string | SpamDocument, from: SpamLabel, to: SpamLabel): Promise<void> {
    if (from === to) return;
    await this.unlearn(doc, from);
    await this.learn(doc, to);
  }

  /** Whether the model has seen enough of both kinds for its scores to mean something. */
  async isTrained(): Promise<boolean> {
    const totals = await this.model.totals();
    return totals.spam >= MIN_TRAINING_DOCUMENTS && totals.ham >= MIN_TRAINING_DOCUMENTS;
  }

  /**
   * Seeds an empty model from the team's labelled corpus (src/core/spam-corpus/train.json);
   * a model that has learned anything is left alone. Returns how many comments were learned.
   * Several instances starting at once should let one of them do it (e.g. behind
   * `settings.setIfAbsent`), or the corpus counts twice.
   */
  async trainFromCorpus(corpus: LabelledComment[] = loadSpamCorpus('train')): Promise<number> {
    const totals = await this.model.totals();
    if (totals.spam > 0 || totals.ham > 0) return 0;
    // Counted here and written in bulk: a few statements instead of one upsert per comment
    // and chunk (this runs on a site's first start, before its first page is served).
    const documents = { spam: 0, ham: 0 };
    const tokens = new Map<string, { spam: number; ham: number }>();
    for (const comment of corpus) {
      documents[comment.label]++;
      for (const token of new Set(tokenize(comment))) {
        const c = tokens.get(token) ?? { spam: 0, ham: 0 };
        c[comment.label]++;
        tokens.set(token, c);
      }
    }
    await this.model.addCounts(documents, tokens);
    return corpus.length;
  }
}
