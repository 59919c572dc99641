/**
 * Deterministic pseudo-random text for the benchmark's seed data: a small seeded PRNG
 * (mulberry32) and generators for comment and post Markdown with varied structure.
 */

export type Rng = () => number;

/** mulberry32: tiny, fast, good enough for test data; same seed, same sequence. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));
export const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)];
export const chance = (rng: Rng, p: number): boolean => rng() < p;

const WORDS = (
  'the a an and but or so because while though if when then yet still just really quite rather almost ' +
  'blog post comment thread reply conversation reader writer author community people voice audience story ' +
  'garden kitchen bicycle morning evening winter summer river mountain city village library market window ' +
  'software server database cache request page link feed archive search draft editor markdown paragraph ' +
  'think believe remember wonder notice argue agree disagree suggest explain learn teach write read share ' +
  'listen answer question point idea example detail reason problem solution habit practice experience ' +
  'small large quiet loud careful honest strange simple complex useful difficult obvious subtle generous ' +
  'slowly quickly carefully honestly probably certainly perhaps usually sometimes rarely always never ' +
  'coffee tea bread soup letter notebook pencil camera photograph map journey weekend holiday neighbour ' +
  'friend colleague stranger teacher student parent child grandmother engineer gardener musician ' +
  'measure build break repair choose change keep lose find follow lead trust doubt forgive celebrate ' +
  'with without about around through between under over after before since until across toward within ' +
  'my your their our his her its this that these those every each some many few more most less ' +
  'is was are were has had have will would could should might must can may does did ' +
  'rain light shadow silence noise rhythm pattern signal thread fabric stone wood paper glass metal ' +
  'first second last next early late long short open closed warm cold bright dark fresh old new'
).split(/\s+/);

const NAMES_FOR_LINKS = ['notes', 'field-guide', 'on-listening', 'small-web', 'why-comments', 'garden-log', 'release-notes', 'reading-list'];
const CODE_BITS = ['npm test', 'git log --oneline', 'SELECT 1', 'Array.from()', 'const x = 1', 'ETag', 'Cache-Control', 'fsync()', 'O(n log n)'];

function word(rng: Rng): string {
  return pick(rng, WORDS);
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** One sentence of `n` words, with the occasional inline decoration. */
function sentence(rng: Rng, n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    let w = word(rng);
    const roll = rng();
    if (roll < 0.025) w = `*${w}*`;
    else if (roll < 0.04) w = `**${w}**`;
    else if (roll < 0.05) w = `~~${w}~~`;
    if (i > 2 && i < n - 2 && chance(rng, 0.06)) w += ',';
    parts.push(w);
  }
  parts[0] = capitalise(parts[0].replace(/^\W+/, '')) || 'So';
  const end = pick(rng, ['.', '.', '.', '.', '?', '!']);
  return parts.join(' ') + end;
}

/** Sentences totalling exactly `total` words. */
function sentences(rng: Rng, total: number): string[] {
  const out: string[] = [];
  let left = total;
  while (left > 0) {
    const n = Math.min(left, left <= 20 ? left : int(rng, 6, 18));
    out.push(sentence(rng, n));
    left -= n;
  }
  return out;
}

function extra(rng: Rng): string {
  const roll = rng();
  if (roll < 0.18) return `[${word(rng)} ${word(rng)}](https://example.org/${pick(rng, NAMES_FOR_LINKS)}) `;
  if (roll < 0.28) return `\`${pick(rng, CODE_BITS)}\` `;
  if (roll < 0.34) return `https://example.com/${pick(rng, NAMES_FOR_LINKS)} `;
  return '';
}

/**
 * A comment body of `wordCount` words: one to three paragraphs, sometimes a quote of
 * the parent, a short list, a link or inline code. Mentions `replyTo` when given.
 */
export function commentMarkdown(rng: Rng, wordCount: number, replyTo?: string): string {
  const blocks: string[] = [];
  let left = wordCount;
  if (replyTo && chance(rng, 0.35)) {
    blocks.push(`${replyTo.split(' ')[0]}, ${sentence(rng, 4).toLowerCase()}`);
    left -= 5;
  }
  if (chance(rng, 0.12) && left > 20) {
    const n = int(rng, 6, 12);
    blocks.push(`> ${sentence(rng, n)}`);
    left -= n;
  }
  if (chance(rng, 0.1) && left > 24) {
    const items = int(rng, 2, 4);
    const lines: string[] = [];
    for (let i = 0; i < items; i++) lines.push(`- ${sentence(rng, 4)}`);
    blocks.push(lines.join('\n'));
    left -= items * 4;
  }
  const body = sentences(rng, Math.max(left, 8));
  const paragraphs = Math.min(body.length, int(rng, 1, 3));
  const per = Math.ceil(body.length / paragraphs);
  for (let i = 0; i < body.length; i += per) blocks.push(extra(rng) + body.slice(i, i + per).join(' '));
  if (chance(rng, 0.05)) blocks.push('```\n' + pick(rng, CODE_BITS) + '\n```');
  return blocks.join('\n\n');
}

/** A post body: a few paragraphs and headings, a list and a code block now and then. */
export function postMarkdown(rng: Rng, paragraphs: number): string {
  const blocks: string[] = [];
  for (let i = 0; i < paragraphs; i++) {
    if (i > 0 && chance(rng, 0.25)) blocks.push(`## ${capitalise(word(rng))} ${word(rng)} ${word(rng)}`);
    blocks.push(sentences(rng, int(rng, 40, 110)).join(' '));
    if (chance(rng, 0.15)) blocks.push(['- ' + sentence(rng, 5), '- ' + sentence(rng, 6), '- ' + sentence(rng, 4)].join('\n'));
    if (chance(rng, 0.08)) blocks.push('```js\nconst answer = await fetch("/healthz");\nconsole.log(answer.status);\n```');
  }
  return blocks.join('\n\n');
}

export function title(rng: Rng): string {
  const n = int(rng, 3, 7);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(word(rng));
  return capitalise(words.join(' '));
}

/** Words in a Markdown body, as a reader would count them (markup stripped). */
export function countWords(markdown: string): number {
  return markdown
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/\]\([^)]*\)/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ')
    .split(/\s+/)
    .filter((w) => /[a-z0-9]/i.test(w)).length;
}
