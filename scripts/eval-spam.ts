/**
 * `npm run eval:spam`: trains a fresh in-memory filter on the team's training corpus and
 * reports how it does on the held-out corpus at the thresholds the product uses:
 * score ≥ SPAM_THRESHOLD goes to the spam folder, score ≥ HOLD_THRESHOLD is held for
 * the moderator, and the ROC AUC (how well the scores rank spam above legitimate comments,
 * whatever the threshold). Pass --verbose to list every misjudged comment with its deciding
 * tokens; --outside FILE also reports AUC on a labelled collection from elsewhere (a JSON
 * array like the corpus, or CSV with CONTENT and CLASS columns, 1 = spam), scored by the
 * filter trained on the team's corpus only: it never learns from that collection.
 */
import fs from 'node:fs';
import { MemoryStore } from '../src/adapters/storage/memory-store.ts';
import { rocAuc } from '../src/core/roc-auc.ts';
import { HOLD_THRESHOLD, SPAM_THRESHOLD, SpamFilter, type ScoringOptions } from '../src/core/spam-filter.ts';
import { loadSpamCorpus, type LabelledComment } from '../src/core/spam-corpus/corpus.ts';

interface Judged {
  comment: LabelledComment;
  score: number;
  clues: string[];
}

interface Figures {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  precision: number;
  recall: number;
  f1: number;
}

function figuresAt(judged: Array<{ comment: { label: 'spam' | 'ham' }; score: number }>, threshold: number): Figures {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const { comment, score } of judged) {
    const flagged = score >= threshold;
    if (comment.label === 'spam') flagged ? tp++ : fn++;
    else flagged ? fp++ : tn++;
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePositives: tp, falsePositives: fp, falseNegatives: fn, trueNegatives: tn, precision, recall, f1 };
}

async function evaluate(train: LabelledComment[], heldout: LabelledComment[], options: ScoringOptions): Promise<Judged[]> {
  const filter = new SpamFilter(new MemoryStore().spamModel, options);
  const learned = await filter.trainFromCorpus(train);
  if (learned !== train.length) throw new Error('the fresh model was not empty');
  const judged: Judged[] = [];
  for (const comment of heldout) {
    const { score, clues } = await filter.classify(comment);
    judged.push({ comment, score, clues: clues.slice(0, 6).map((c) => `${c.token}=${c.probability.toFixed(2)}`) });
  }
  return judged;
}

const pct = (n: number) => `${(100 * n).toFixed(1)}%`;
const pad = (text: string | number, width: number) => String(text).padStart(width);

function report(title: string, judged: Judged[], threshold: number, meaning: string): void {
  const f = figuresAt(judged, threshold);
  console.log(`\n${title}: score ≥ ${threshold} → ${meaning}`);
  console.log(`  precision ${pct(f.precision)}   recall ${pct(f.recall)}   F1 ${pct(f.f1)}`);
  console.log('                    predicted spam   predicted ham');
  console.log(`    actual spam   ${pad(f.truePositives, 16)}${pad(f.falseNegatives, 16)}`);
  console.log(`    actual ham    ${pad(f.falsePositives, 16)}${pad(f.trueNegatives, 16)}`);
}

/** A labelled collection from elsewhere: the corpus's JSON, or a CSV with CONTENT and CLASS (1 = spam) columns. */
function readOutside(file: string): LabelledComment[] {
  const text = fs.readFileSync(file, 'utf8');
  if (file.endsWith('.json')) return JSON.parse(text) as LabelledComment[];
  const rows = parseCsv(text);
  const header = rows[0].map((h) => h.trim().toUpperCase());
  const content = header.indexOf('CONTENT');
  const label = header.indexOf('CLASS');
  if (content < 0 || label < 0) throw new Error(`${file}: needs CONTENT and CLASS columns`);
  return rows.slice(1).filter((r) => r.length > Math.max(content, label)).map((r) => ({ text: r[content], label: r[label].trim() === '1' ? 'spam' : 'ham' }));
}

/** RFC 4180 CSV: quoted fields may hold commas, newlines and doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      (row = []), (field = '');
    } else field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

async function main(): Promise<void> {
  const verbose = process.argv.includes('--verbose');
  const train = loadSpamCorpus('train');
  const heldout = loadSpamCorpus('heldout');
  const trainTexts = new Set(train.map((c) => c.text.trim().toLowerCase()));
  const leaked = heldout.filter((c) => trainTexts.has(c.text.trim().toLowerCase()));
  if (leaked.length > 0) throw new Error(`${leaked.length} held-out comments also appear in train.json; the figures would flatter the filter`);
  const count = (list: LabelledComment[], label: string) => list.filter((c) => c.label === label).length;
  console.log(`Spam filter evaluation (naive Bayes, Robinson token probabilities, Fisher combining)`);
  console.log(`  trained on ${train.length} comments (${count(train, 'spam')} spam, ${count(train, 'ham')} ham)`);
  console.log(`  tested on  ${heldout.length} held-out comments (${count(heldout, 'spam')} spam, ${count(heldout, 'ham')} ham)`);

  const judged = await evaluate(train, heldout, { method: 'fisher' });
  report('Spam folder', judged, SPAM_THRESHOLD, 'spam folder (restorable)');
  report('Held or spam', judged, HOLD_THRESHOLD, `held for moderation (${HOLD_THRESHOLD}–${SPAM_THRESHOLD}) or spam folder`);
  const held = judged.filter((j) => j.score >= HOLD_THRESHOLD && j.score < SPAM_THRESHOLD);
  console.log(`\n  between the thresholds (held, not spam-foldered): ${held.filter((j) => j.comment.label === 'spam').length} spam, ${held.filter((j) => j.comment.label === 'ham').length} ham`);

  console.log(`\nROC AUC ${rocAuc(judged.map((j) => ({ spam: j.comment.label === 'spam', score: j.score }))).toFixed(4)} (1.0: every spam scored above every legitimate comment; 0.5: chance)`);

  const hamScores = judged.filter((j) => j.comment.label === 'ham').map((j) => j.score).sort((a, b) => b - a);
  console.log(`  highest ham scores: ${hamScores.slice(0, 3).map((s) => s.toFixed(3)).join(', ')}`);

  const graham = await evaluate(train, heldout, { method: 'graham' });
  const g9 = figuresAt(graham, SPAM_THRESHOLD);
  const g5 = figuresAt(graham, HOLD_THRESHOLD);
  console.log(`\nFor comparison, Graham combining: at ${SPAM_THRESHOLD} precision ${pct(g9.precision)} recall ${pct(g9.recall)} F1 ${pct(g9.f1)}; at ${HOLD_THRESHOLD} precision ${pct(g5.precision)} recall ${pct(g5.recall)} F1 ${pct(g5.f1)}`);

  const outside = process.argv.indexOf('--outside');
  if (outside > 0) {
    const file = process.argv[outside + 1];
    const collection = readOutside(file);
    const scored = await evaluate(train, collection, { method: 'fisher' });
    const f9 = figuresAt(scored, SPAM_THRESHOLD);
    console.log(`\nOutside collection ${file}: ${collection.length} comments (${count(collection, 'spam')} spam), never learned from`);
    console.log(`  ROC AUC ${rocAuc(scored.map((j) => ({ spam: j.comment.label === 'spam', score: j.score }))).toFixed(4)}; at ${SPAM_THRESHOLD} precision ${pct(f9.precision)} recall ${pct(f9.recall)}`);
  }

  const wrong = judged
    .filter((j) => (j.comment.label === 'ham' ? j.score >= HOLD_THRESHOLD : j.score < SPAM_THRESHOLD))
    .sort((a, b) => b.score - a.score);
  console.log(`\nNot decided correctly at the spam threshold or held by mistake: ${wrong.length}${verbose ? '' : ' (--verbose lists them)'}`);
  if (verbose) {
    for (const j of wrong) console.log(`  ${j.comment.label.padEnd(4)} ${j.score.toFixed(3)}  ${j.comment.text.slice(0, 90).replace(/\n/g, ' ')}\n         ${j.clues.join('  ')}`);
  }
}

await main();
