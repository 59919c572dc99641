/** Small WordPress exports written for tests: the edge cases the real corpora lack. */

export interface C { id: number; parent?: number; approved?: string; type?: string; author?: string; email?: string; url?: string; content?: string }

function comment(c: C): string {
  return `<wp:comment><wp:comment_id>${c.id}</wp:comment_id><wp:comment_author><![CDATA[${c.author ?? `Reader ${c.id}`}]]></wp:comment_author>
<wp:comment_author_email>${c.email ?? `reader${c.id}@example.com`}</wp:comment_author_email><wp:comment_author_url>${c.url ?? `https://reader${c.id}.example`}</wp:comment_author_url>
<wp:comment_author_IP>192.0.2.${c.id}</wp:comment_author_IP><wp:comment_date>2019-03-05 09:0${c.id % 10}:00</wp:comment_date><wp:comment_date_gmt>2019-03-05 08:0${c.id % 10}:00</wp:comment_date_gmt>
<wp:comment_content><![CDATA[${c.content ?? `Comment ${c.id}`}]]></wp:comment_content><wp:comment_approved>${c.approved ?? '1'}</wp:comment_approved>
<wp:comment_type>${c.type ?? ''}</wp:comment_type><wp:comment_parent>${c.parent ?? 0}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>`;
}

export interface I { id: number; type?: string; status?: string; title?: string; name?: string; content?: string; comments?: C[]; meta?: Record<string, string>; url?: string; date?: string }

export function item(i: I): string {
  const name = i.name ?? `item-${i.id}`;
  const date = i.date ?? '2019-03-05 10:00:00';
  return `<item><title>${i.title ?? `Item ${i.id}`}</title><link>http://old.example/${date.slice(0, 4)}/${date.slice(5, 7)}/${date.slice(8, 10)}/${name}/</link>
<dc:creator>ada</dc:creator><guid isPermaLink="false">http://old.example/?p=${i.id}</guid>
<content:encoded><![CDATA[${i.content ?? `Body of ${i.id}`}]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>${i.id}</wp:post_id><wp:post_date>${date}</wp:post_date><wp:post_date_gmt>${date}</wp:post_date_gmt>
<wp:comment_status>open</wp:comment_status><wp:post_name>${name}</wp:post_name><wp:status>${i.status ?? 'publish'}</wp:status>
<wp:post_type>${i.type ?? 'post'}</wp:post_type>${i.url ? `<wp:attachment_url>${i.url}</wp:attachment_url>` : ''}
<category domain="category" nicename="travel"><![CDATA[Travel]]></category><category domain="post_tag" nicename="rain"><![CDATA[rain]]></category>
${Object.entries(i.meta ?? {}).map(([k, v]) => `<wp:postmeta><wp:meta_key>${k}</wp:meta_key><wp:meta_value><![CDATA[${v}]]></wp:meta_value></wp:postmeta>`).join('')}
${(i.comments ?? []).map(comment).join('\n')}</item>`;
}

/** A WXR file of the given version (its namespaces differ: 1.0 uses http://wordpress.org/export/1.0/). */
export function wxr(version: string, items: I[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/${version}/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/${version}/">
<channel><title>Old blog</title><wp:wxr_version>${version}</wp:wxr_version><wp:base_site_url>http://old.example</wp:base_site_url>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login>ada</wp:author_login><wp:author_email>ada@example.com</wp:author_email><wp:author_display_name><![CDATA[Ada Lovelace]]></wp:author_display_name></wp:author>
${items.map(item).join('\n')}
</channel></rss>`;
}

/** A blog with every case: threads out of order, an orphan, spam, trash, pending, a pingback, a page with comments, every status, a menu item, a cover image. */
export const blog = (version: string) =>
  wxr(version, [
    {
      id: 10,
      name: 'hello-world',
      title: 'Hello &amp; welcome',
      content: 'First line\nsecond line\n\nA <a href="https://example.org/">link</a> & <script>alert(1)</script><img src="https://cdn.example/x.jpg" onerror="alert(2)">',
      meta: { _thumbnail_id: '99' },
      comments: [
        // A reply listed before its parent; a reply whose parent is not in the file.
        { id: 3, parent: 1, author: 'Replier' },
        { id: 1, author: 'First' },
        { id: 4, parent: 3, author: 'Deep' },
        { id: 5, parent: 77, author: 'Orphan' },
        { id: 6, approved: 'spam', author: 'Spammer' },
        { id: 7, approved: 'trash', author: 'Trashed' },
        { id: 8, approved: '0', author: 'Waiting' },
        { id: 9, type: 'pingback', author: 'Other blog', email: '', content: '[…] a mention […]' },
      ],
    },
    { id: 11, type: 'page', name: 'about', title: 'About', comments: [{ id: 20, author: 'On a page' }] },
    { id: 12, status: 'draft', name: '', title: 'Unfinished' },
    { id: 13, status: 'future', name: 'later', date: '2030-01-01 00:00:00' },
    { id: 14, status: 'private', name: 'secret' },
    { id: 15, status: 'pending', name: 'review-me' },
    { id: 16, type: 'nav_menu_item', name: 'menu' },
    { id: 99, type: 'attachment', title: 'Cover', url: 'https://cdn.example/cover.jpg' },
  ]);

