/**
 * Writes a large WordPress export (WXR 1.2) for trying the importer at scale:
 *
 *   node_modules/.bin/node scripts/generate-wxr.ts OUT.xml [POSTS] [COMMENTS]
 *
 * Defaults: 10,000 posts and 100,000 comments, spread evenly, a third of them replies
 * (threads up to four deep), a few pending, spam and pingbacks, and every tenth post a
 * draft. Written as a stream, so generating it needs little memory too.
 */
import fs from 'node:fs';
import { once } from 'node:events';

const escape = (text: string) => text.replace(/]]>/g, ']]]]><![CDATA[>');
const words = 'the quiet river carried small lanterns past houses where people argued kindly about maps weather bread and old songs'.split(' ');
function sentence(seed: number, length: number): string {
  const out: string[] = [];
  for (let i = 0; i < length; i++) out.push(words[(seed * 7 + i * 13) % words.length]);
  return `${out.join(' ')}.`;
}

export async function generateWxr(file: string, posts: number, comments: number): Promise<void> {
  const out = fs.createWriteStream(file);
  const write = async (chunk: string) => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  await write(`<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Generated blog</title><link>https://big.example</link><wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://big.example</wp:base_site_url><wp:base_blog_url>https://big.example</wp:base_blog_url>
  <wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[writer]]></wp:author_login><wp:author_email><![CDATA[writer@big.example]]></wp:author_email><wp:author_display_name><![CDATA[The Writer]]></wp:author_display_name></wp:author>
`);
  let commentId = 0;
  for (let p = 1; p <= posts; p++) {
    const day = new Date(Date.UTC(2010, 0, 1) + p * 6 * 3600_000);
    const date = day.toISOString().slice(0, 19).replace('T', ' ');
    const slug = `post-number-${p}`;
    const body = Array.from({ length: 4 }, (_, i) => sentence(p + i, 30)).join('\n\n');
    const share = Math.floor((comments * p) / posts) - Math.floor((comments * (p - 1)) / posts);
    let thread = '';
    const first = commentId + 1;
    for (let c = 0; c < share; c++) {
      commentId++;
      const depthParent = c % 3 === 2 && commentId - 1 >= first ? commentId - 1 - (c % 2) : 0;
      const status = c % 50 === 7 ? 'spam' : c % 40 === 5 ? '0' : '1';
      const type = commentId % 97 === 3 ? 'pingback' : '';
      const cdate = new Date(day.getTime() + (c + 1) * 60_000).toISOString().slice(0, 19).replace('T', ' ');
      thread += `<wp:comment><wp:comment_id>${commentId}</wp:comment_id><wp:comment_author><![CDATA[Reader ${commentId % 5000}]]></wp:comment_author>
<wp:comment_author_email><![CDATA[reader${commentId % 5000}@mail.example]]></wp:comment_author_email><wp:comment_author_url>https://reader${commentId % 5000}.example</wp:comment_author_url>
<wp:comment_author_IP><![CDATA[192.0.2.${commentId % 250}]]></wp:comment_author_IP><wp:comment_date>${cdate}</wp:comment_date><wp:comment_date_gmt>${cdate}</wp:comment_date_gmt>
<wp:comment_content><![CDATA[${escape(sentence(commentId, 25))}\n\n${escape(sentence(commentId + 3, 12))}]]></wp:comment_content>
<wp:comment_approved>${status}</wp:comment_approved><wp:comment_type>${type}</wp:comment_type><wp:comment_parent>${depthParent}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>
`;
    }
    await write(`<item><title>Post number ${p}</title><link>https://big.example/${date.slice(0, 4)}/${date.slice(5, 7)}/${date.slice(8, 10)}/${slug}/</link>
<pubDate>${day.toUTCString()}</pubDate><dc:creator><![CDATA[writer]]></dc:creator><guid isPermaLink="false">https://big.example/?p=${p}</guid>
<description></description><content:encoded><![CDATA[${escape(body)}]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>${p}</wp:post_id><wp:post_date>${date}</wp:post_date><wp:post_date_gmt>${date}</wp:post_date_gmt><wp:comment_status>open</wp:comment_status>
<wp:post_name>${slug}</wp:post_name><wp:status>${p % 10 === 0 ? 'draft' : 'publish'}</wp:status><wp:post_parent>0</wp:post_parent><wp:post_type>post</wp:post_type>
<category domain="category" nicename="topic-${p % 20}"><![CDATA[Topic ${p % 20}]]></category><category domain="post_tag" nicename="tag-${p % 50}"><![CDATA[tag ${p % 50}]]></category>
${thread}</item>
`);
  }
  await write('</channel>\n</rss>\n');
  out.end();
  await once(out, 'finish');
}

if (import.meta.main) {
  const [file, posts = '10000', comments = '100000'] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('Usage: node scripts/generate-wxr.ts OUT.xml [POSTS] [COMMENTS]\n');
    process.exit(2);
  }
  await generateWxr(file, Number(posts), Number(comments));
  process.stderr.write(`Wrote ${file}: ${posts} posts, ${comments} comments, ${(fs.statSync(file).size / 1024 / 1024).toFixed(1)} MB\n`);
}
