import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from '../adapters/storage/memory-store.ts';
import { loadSpamCorpus } from './spam-corpus/corpus.ts';
import { rocAuc } from './roc-auc.ts';
import {
  classify,
  HOLD_THRESHOLD,
  MIN_TRAINING_DOCUMENTS,
  SPAM_THRESHOLD,
  SpamFilter,
  spamVerdict,
  tokenize,
  tokenProbability,
  type TokenCounts,
} from './spam-filter.ts';

const has = (tokens: string[], ...expected: string[]) => {
  for (const token of expected) assert.ok(tokens.includes(token), `expected token "${token}" in ${JSON.stringify(tokens)}`);
};
const lacks = (tokens: string[], ...unexpected: string[]) => {
  for (const token of unexpected) assert.ok(!tokens.includes(token), `unexpected token "${token}"`);
};

describe('tokenize', () => {
  it('lower-cases words, keeps apostrophes, drops one-letter and very long words', () => {
    const tokens = tokenize(`I'm SO glad a friend shared this ${'x'.repeat(40)}`);
    has(tokens, "i'm", 'so', 'glad', 'friend', 'shared', 'this');
    lacks(tokens, 'a', 'x'.repeat(40), 'SO');
  });

  it('adds word pairs', () => {
    has(tokenize('Free spins today'), 'free spins', 'spins today');
  });

  it('turns links into host tokens and address words, and counts them in buckets', () => {
    const tokens = tokenize('Buy here https://www.shop.cheap-meds.example/buy-viagra?x=1 now');
    has(tokens, 'host:shop.cheap-meds.example', 'host:cheap-meds.example', 'tld:example', 'urlword:cheap', 'urlword:meds', 'urlword:viagra', 'links:1');
    lacks(tokens, 'https', 'www');
    has(tokenize('no links here'), 'links:0');
    has(tokenize('[a](http://a.example) [b](http://b.example)'), 'links:2', 'host:a.example', 'markup:markdown-link');
    has(tokenize('http://1.example http://2.example http://3.example'), 'links:3-4');
    has(tokenize('http://1.example http://2.example http://3.example http://4.example http://5.example'), 'links:5+');
  });

  it('sees through defanged and spaced-out links', () => {
    has(tokenize('Win at hxxp://free-iphone[.]com now'), 'host:free-iphone.com', 'obfuscated:hxxp', 'obfuscated:dot');
    has(tokenize('Visit w w w . c h e a p . c o m today'), 'host:cheap.com', 'obfuscated:spaced');
    has(tokenize('pills at rx-deals dot net'), 'host:rx-deals.net', 'obfuscated:dot');
    lacks(tokenize('a polka dot dress'), 'obfuscated:dot');
  });

  it('is unicode aware: Cyrillic words, CJK and Thai as character pairs, scripts noted', () => {
    const russian = tokenize('Лучшее онлайн КАЗИНО с бонусом');
    has(russian, 'лучшее', 'онлайн', 'казино', 'бонусом', 'script:cyrillic', 'онлайн казино');
    has(tokenize('专业代写论文'), '专业', '业代', '代写', '写论', '论文', 'script:han');
    has(tokenize('café crème'), 'café', 'crème');
    lacks(tokenize('plain english words'), 'script:latin');
  });

  it('notes words mixing scripts (homoglyph tricks) and leetspeak', () => {
    has(tokenize('best сasino here'), 'shape:mixed-script-word'); // Cyrillic "с"
    has(tokenize('cheap v1agra and c1alis'), 'v1agra', 'viagra', 'cialis');
  });

  it('notes the commenter’s name and website, not the email', () => {
    const tokens = tokenize({ text: 'Nice post.', name: 'Best SEO Company', email: 'x@spam.example', url: 'https://seo-delhi.example/' });
    has(tokens, 'name:best', 'name:seo', 'name:company', 'name:words:3', 'site:given', 'site:seo-delhi.example', 'siteword:seo', 'siteword:delhi');
    lacks(tokens, 'host:spam.example');
    assert.ok(!tokens.some((t) => t.includes('spam.example')));
  });

  it('notes shape signals', () => {
    has(tokenize('WIN NOW!!! Call +1 (555) 010-2233, $500 bonus on WhatsApp 🔥'), 'shape:shouting', 'shape:exclamations', 'shape:phone-number', 'shape:money', 'shape:messenger', 'shape:emoji');
    has(tokenize('<a href="http://x.example">x</a> [url=http://y.example]y[/url] {Hi|Hello}'), 'markup:html-link', 'markup:bbcode', 'markup:spintax');
  });

  it('is deterministic and lists each token once', () => {
    const text = 'Thanks thanks THANKS for the post, see https://a.example and https://a.example';
    const tokens = tokenize(text);
    assert.deepEqual(tokens, tokenize(text));
    assert.equal(new Set(tokens).size, tokens.length);
  });
});

describe('classify (pure scoring)', () => {
  const totals = { spam: 100, ham: 100 };
  const counts = new Map<string, TokenCounts>([
    ['viagra', { spam: 60, ham: 0 }],
    ['casino', { spam: 40, ham: 1 }],
    ['cheap', { spam: 50, ham: 5 }],
    ['thanks', { spam: 10, ham: 60 }],
    ['garden', { spam: 0, ham: 30 }],
    ['recipe', { spam: 1, ham: 25 }],
    ['the', { spam: 90, ham: 92 }],
  ]);

  it('knows nothing without documents of both labels', () => {
    assert.deepEqual(classify(['viagra'], counts, { spam: 0, ham: 0 }), { score: 0.5, clues: [] });
    assert.equal(classify(['viagra'], counts, { spam: 10, ham: 0 }).score, 0.5);
    assert.equal(classify([], counts, totals).score, 0.5);
    assert.equal(classify(['never-seen'], counts, totals).score, 0.5);
  });

  it('scores spammy tokens near 1 and hammy tokens near 0', () => {
    assert.ok(classify(['viagra', 'casino', 'cheap', 'the'], counts, totals).score > 0.95);
    assert.ok(classify(['thanks', 'garden', 'recipe', 'the'], counts, totals).score < 0.05);
    const mixed = classify(['viagra', 'garden'], counts, totals).score;
    assert.ok(mixed > 0.2 && mixed < 0.8, `mixed evidence stays unsure (${mixed})`);
  });

  it('ignores neutral tokens and reports the telling ones first', () => {
    const { clues } = classify(['the', 'viagra', 'thanks'], counts, totals);
    assert.deepEqual(clues.map((c) => c.token), ['viagra', 'thanks']);
  });

  it('stays within [0, 1] with overwhelming evidence', () => {
    const many = new Map<string, TokenCounts>(Array.from({ length: 500 }, (_, i) => [`t${i}`, { spam: 1000, ham: 0 }]));
    const score = classify([...many.keys()], many, { spam: 1000, ham: 1000 }).score;
    assert.ok(score >= 0 && score <= 1 && score > 0.99);
  });

  it('smooths tokens seen only a few times toward the prior', () => {
    assert.equal(tokenProbability({ spam: 0, ham: 0 }, totals), 0.5);
    const once = tokenProbability({ spam: 1, ham: 0 }, totals);
    const often = tokenProbability({ spam: 50, ham: 0 }, totals);
    assert.ok(once > 0.5 && once < often && often < 1);
    // Normalised by class size: 10 of 10 spam vs 10 of 1000 ham is strong spam evidence.
    assert.ok(tokenProbability({ spam: 10, ham: 10 }, { spam: 10, ham: 1000 }) > 0.9);
  });

  it('offers Graham combining for comparison', () => {
    const score = classify(['viagra', 'casino', 'cheap'], counts, totals, { method: 'graham' }).score;
    assert.ok(score > 0.9 && score <= 1);
  });
});

describe('spamVerdict', () => {
  it('maps a score to what the product does', () => {
    assert.equal(spamVerdict(0.99), 'spam');
    assert.equal(spamVerdict(SPAM_THRESHOLD), 'spam');
    assert.equal(spamVerdict(0.7), 'hold');
    assert.equal(spamVerdict(HOLD_THRESHOLD), 'hold');
    assert.equal(spamVerdict(0.49), 'pass');
  });
});

describe('SpamFilter over a model', () => {
  const spam = { text: 'Cheap viagra and casino bonus at https://pills.example', name: 'Cheap Pills', url: 'https://pills.example' };
  const ham = { text: 'Thanks for the thoughtful post about your garden, the tomatoes look great.', name: 'Ruth' };

  it('is not trained until it has seen enough of both', async () => {
    const filter = new SpamFilter(new MemoryStore().spamModel);
    assert.equal(await filter.isTrained(), false);
    assert.equal(await filter.score('anything'), 0.5);
    for (let i = 0; i < MIN_TRAINING_DOCUMENTS; i++) await filter.learn(spam, 'spam');
    assert.equal(await filter.isTrained(), false);
    for (let i = 0; i < MIN_TRAINING_DOCUMENTS; i++) await filter.learn(ham, 'ham');
    assert.equal(await filter.isTrained(), true);
  });

  it('learns, and unlearning restores the model exactly', async () => {
    const store = new MemoryStore();
    const filter = new SpamFilter(store.spamModel);
    await filter.trainFromCorpus();
    const tokens = tokenize(spam);
    const before = { totals: await store.spamModel.totals(), counts: await store.spamModel.tokenCounts(tokens) };
    const scoreBefore = await filter.score(spam);
    await filter.learn(spam, 'ham');
    assert.ok((await filter.score(spam)) < scoreBefore);
    await filter.unlearn(spam, 'ham');
    assert.deepEqual({ totals: await store.spamModel.totals(), counts: await store.spamModel.tokenCounts(tokens) }, before);
    assert.equal(await filter.score(spam), scoreBefore);
  });

  it('follows a moderator who reverses a decision', async () => {
    const store = new MemoryStore();
    const filter = new SpamFilter(store.spamModel);
    await filter.trainFromCorpus();
    const reader = { text: 'Great post! I run a small casino-themed board game cafe and we argued about this all night.', name: 'Maria' };
    await filter.learn(reader, 'spam');
    const totals = await store.spamModel.totals();
    await filter.reclassify(reader, 'spam', 'ham');
    assert.deepEqual(await store.spamModel.totals(), { spam: totals.spam - 1, ham: totals.ham + 1 });
    await filter.reclassify(reader, 'ham', 'ham');
    assert.deepEqual(await store.spamModel.totals(), { spam: totals.spam - 1, ham: totals.ham + 1 });
  });

  it('seeds only an empty model from the corpus', async () => {
    const store = new MemoryStore();
    const filter = new SpamFilter(store.spamModel);
    const corpus = loadSpamCorpus('train');
    assert.equal(await filter.trainFromCorpus(), corpus.length);
    const totals = await store.spamModel.totals();
    assert.deepEqual(totals, { spam: corpus.filter((c) => c.label === 'spam').length, ham: corpus.filter((c) => c.label === 'ham').length });
    assert.equal(await filter.trainFromCorpus(), 0);
    assert.deepEqual(await store.spamModel.totals(), totals);
    assert.equal(await filter.isTrained(), true);
  });

  it('scores within the transaction it is handed', async () => {
    const store = new MemoryStore();
    await assert.rejects(
      store.transaction(async (trx) => {
        await new SpamFilter(trx.spamModel).learn(spam, 'spam');
        throw new Error('rolled back');
      }),
    );
    assert.deepEqual(await store.spamModel.totals(), { spam: 0, ham: 0 });
  });
});

describe('the labelled corpus', () => {
  const train = loadSpamCorpus('train');
  const heldout = loadSpamCorpus('heldout');

  it('is big enough and balanced', () => {
    assert.ok(train.length >= 300 && heldout.length >= 150);
    for (const part of [train, heldout]) {
      const spamShare = part.filter((c) => c.label === 'spam').length / part.length;
      assert.ok(spamShare > 0.4 && spamShare < 0.6, `spam share ${spamShare}`);
    }
  });

  it('keeps held-out comments out of training', () => {
    const key = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
    const trained = new Set(train.map((c) => key(c.text)));
    assert.deepEqual(heldout.filter((c) => trained.has(key(c.text))).map((c) => c.text), []);
    assert.equal(new Set(train.map((c) => key(c.text))).size, train.length);
    assert.equal(new Set(heldout.map((c) => key(c.text))).size, heldout.length);
  });

  it('trains a filter that sorts the held-out comments (a guard against regressions)', async () => {
    const filter = new SpamFilter(new MemoryStore().spamModel);
    await filter.trainFromCorpus(train);
    let spamFoldered = 0;
    let hamFoldered = 0;
    let hamFlagged = 0;
    let spamFlagged = 0;
    for (const comment of heldout) {
      const verdict = spamVerdict(await filter.score(comment));
      if (comment.label === 'spam' && verdict === 'spam') spamFoldered++;
      if (comment.label === 'spam' && verdict !== 'pass') spamFlagged++;
      if (comment.label === 'ham' && verdict === 'spam') hamFoldered++;
      if (comment.label === 'ham' && verdict !== 'pass') hamFlagged++;
    }
    const spamCount = heldout.filter((c) => c.label === 'spam').length;
    assert.equal(hamFoldered, 0, 'no reader sent to the spam folder');
    assert.ok(hamFlagged <= 2, `readers held: ${hamFlagged}`);
    assert.ok(spamFoldered / spamCount >= 0.8, `spam-folder recall ${spamFoldered}/${spamCount}`);
    assert.ok(spamFlagged / spamCount >= 0.9, `hold-or-spam recall ${spamFlagged}/${spamCount}`);
  });

  it('lets short fan replies through and flags channel plugs, support numbers and crypto pitches it never saw', async () => {
    const filter = new SpamFilter(new MemoryStore().spamModel);
    await filter.trainFromCorpus(train);
    const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
    const shortReplies = heldout.filter((c) => c.label === 'ham' && words(c.text) <= 5);
    const pitches = heldout.filter((c) => c.label === 'spam' && /channel|subscrib|support|customer|helpline|number|bitcoin|btc|crypto|whatsapp|telegram/i.test(c.text));
    assert.ok(shortReplies.length >= 15 && pitches.length >= 15, `${shortReplies.length} short replies, ${pitches.length} pitches held out`);
    const scored = [];
    for (const c of [...shortReplies, ...pitches]) scored.push({ spam: c.label === 'spam', score: await filter.score(c), text: c.text });
    assert.deepEqual(scored.filter((s) => !s.spam && spamVerdict(s.score) !== 'pass').map((s) => s.text), [], 'no short reply held');
    assert.deepEqual(scored.filter((s) => s.spam && spamVerdict(s.score) === 'pass').map((s) => s.text), [], 'no pitch let through');
    const all = [];
    for (const c of heldout) all.push({ spam: c.label === 'spam', score: await filter.score(c) });
    assert.ok(rocAuc(all) >= 0.99, `held-out ROC AUC ${rocAuc(all)}`);
  });
});
