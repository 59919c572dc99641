import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'htmlparser2';
import { getElementsByTagName, textContent } from 'domutils';
import type { Element } from 'domhandler';

// The third-party corpora live in shared/ beside the checkout (or where KUMBAYA_SHARED_DIR says).
export const sharedDir = process.env.KUMBAYA_SHARED_DIR || path.join(import.meta.dirname, '../../../shared');
export const wxrDir = path.join(sharedDir, 'corpora/wxr');
export const disqusFile = path.join(sharedDir, 'corpora/disqus/remark42__disqus.xml');

/** Direct children with this tag name (prefix included, as written in the file). */
export function kids(el: Element, name: string): Element[] {
  return el.children.filter((c): c is Element => c.type === 'tag' && c.name === name);
}

export function text(el: Element, name: string): string {
  const found = kids(el, name)[0];
  return found ? textContent(found).trim() : '';
}

export interface ExpectedComment {
  id: string;
  parent: string;
  approved: string;
  type: string;
  author: string;
  email: string;
  url: string;
  content: string;
  dateGmt: string;
}

export interface ExpectedItem {
  id: string;
  guid: string;
  type: string;
  status: string;
  title: string;
  name: string;
  link: string;
  content: string;
  categories: string[];
  comments: ExpectedComment[];
}

/**
 * A WXR file read independently of the importer (htmlparser2's DOM, no streaming), so
 * tests compute what the import must produce instead of hard-coding numbers. The
 * namespace prefixes are read as written; the corpora use wp:, content:, dc:.
 */
export function readWxr(file: string): { version: string; items: ExpectedItem[] } {
  const doc = parseDocument(fs.readFileSync(file, 'utf8'), { xmlMode: true });
  const version = textContent(getElementsByTagName('wp:wxr_version', doc)[0] ?? doc).trim();
  const items = getElementsByTagName('item', doc).map((item) => ({
    id: text(item, 'wp:post_id'),
    guid: text(item, 'guid'),
    type: text(item, 'wp:post_type'),
    status: text(item, 'wp:status'),
    title: text(item, 'title'),
    name: text(item, 'wp:post_name'),
    link: text(item, 'link'),
    content: kids(item, 'content:encoded')[0] ? textContent(kids(item, 'content:encoded')[0]) : '',
    categories: kids(item, 'category').filter((c) => c.attribs.domain === 'category' || c.attribs.domain === 'post_tag').map((c) => textContent(c).trim()),
    comments: kids(item, 'wp:comment').map((c) => ({
      id: text(c, 'wp:comment_id'),
      parent: text(c, 'wp:comment_parent'),
      approved: text(c, 'wp:comment_approved'),
      type: text(c, 'wp:comment_type'),
      author: text(c, 'wp:comment_author'),
      email: text(c, 'wp:comment_author_email'),
      url: text(c, 'wp:comment_author_url'),
      content: kids(c, 'wp:comment_content')[0] ? textContent(kids(c, 'wp:comment_content')[0]) : '',
      dateGmt: text(c, 'wp:comment_date_gmt'),
    })),
  }));
  return { version, items };
}

/** Depth of each comment in its post's thread, following comment_parent inside the file (0 at the top). */
export function depths(comments: ExpectedComment[]): Map<string, number> {
  const byId = new Map(comments.map((c) => [c.id, c]));
  const result = new Map<string, number>();
  const depthOf = (c: ExpectedComment, seen = new Set<string>()): number => {
    const parent = byId.get(c.parent);
    if (!parent || seen.has(c.id)) return 0;
    seen.add(c.id);
    return depthOf(parent, seen) + 1;
  };
  for (const c of comments) result.set(c.id, depthOf(c));
  return result;
}

export interface ExpectedDisqusPost {
  dsqId: string | undefined;
  thread: string;
  parent: string | undefined;
  message: string;
  createdAt: string;
  isDeleted: boolean;
  isSpam: boolean;
  email: string;
  name: string;
}

export function readDisqus(xml: string): { threads: Map<string, string>; posts: ExpectedDisqusPost[] } {
  const doc = parseDocument(xml, { xmlMode: true });
  const threads = new Map<string, string>();
  const root = getElementsByTagName('disqus', doc)[0];
  for (const t of kids(root, 'thread')) threads.set(t.attribs['dsq:id'], text(t, 'link'));
  const posts = kids(root, 'post').map((p) => {
    const author = kids(p, 'author')[0];
    return {
      dsqId: p.attribs['dsq:id'],
      thread: kids(p, 'thread')[0]?.attribs['dsq:id'] ?? '',
      parent: kids(p, 'parent')[0]?.attribs['dsq:id'],
      message: text(p, 'message'),
      createdAt: text(p, 'createdAt'),
      isDeleted: text(p, 'isDeleted') === 'true',
      isSpam: text(p, 'isSpam') === 'true',
      email: author ? text(author, 'email') : '',
      name: author ? text(author, 'name') : '',
    };
  });
  return { threads, posts };
}
