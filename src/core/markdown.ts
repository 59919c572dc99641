import MarkdownIt from 'markdown-it';
import footnote from 'markdown-it-footnote';
// The common build (about 35 languages: shell, JS/TS, Python, Go, Rust, Java, C, SQL, YAML…)
// loads a fraction of the full set, which keeps start-up and memory down.
import hljs from 'highlight.js/lib/common';
import sanitizeHtml from 'sanitize-html';
import { secureImageUrl } from './image-url.ts';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const md = new MarkdownIt({
  html: true, // authors may write HTML; the sanitiser below decides what survives
  linkify: true,
  typographer: true,
  highlight(code, lang) {
    const language = lang && hljs.getLanguage(lang) ? lang : null;
    const body = language ? hljs.highlight(code, { language, ignoreIllegals: true }).value : escapeHtml(code);
    const label = language ? ` data-lang="${escapeHtml(language)}"` : '';
    return `<pre class="code"${label}><code class="hljs${language ? ` language-${language}` : ''}">${body}</code></pre>`;
  },
}).use(footnote);

// Table alignment as classes: the strict CSP forbids inline style attributes.
for (const rule of ['th_open', 'td_open'] as const) {
  md.renderer.rules[rule] = (tokens, idx, options, _env, self) => {
    const token = tokens[idx];
    const style = token.attrGet('style');
    if (style) {
      const align = /text-align:(left|right|center)/.exec(String(style))?.[1];
      token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'style');
      if (align) token.attrJoin('class', `align-${align}`);
    }
    return self.renderToken(tokens, idx, options);
  };
}

const postPolicy: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags,
    'img', 'figure', 'figcaption', 'del', 'ins', 'sup', 'sub', 'details', 'summary', 'input', 'section', 'mark',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'id', 'class', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height', 'loading'],
    code: ['class'],
    pre: ['class', 'data-lang'],
    span: ['class'],
    th: ['class', 'colspan', 'rowspan'],
    td: ['class', 'colspan', 'rowspan'],
    ol: ['start', 'class'],
    li: ['id', 'class'],
    sup: ['class', 'id'],
    section: ['class'],
    hr: ['class'],
    input: ['type', 'checked', 'disabled'],
    h1: ['id'], h2: ['id'], h3: ['id'], h4: ['id'], h5: ['id'], h6: ['id'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  transformTags: {
    img: (tagName, attribs) => ({ tagName, attribs: { ...attribs, ...(attribs.src ? { src: secureImageUrl(attribs.src) } : {}), loading: 'lazy' } }),
    input: (tagName, attribs) => (attribs.type === 'checkbox' ? { tagName, attribs: { ...attribs, disabled: '' } } : { tagName: 'span', attribs: {} }),
  },
};

/**
 * Renders an author's Markdown (GFM tables, footnotes, fenced code with syntax
 * highlighting, strikethrough, autolinks) to sanitised HTML. Called once when a post
 * is saved; pages serve the stored result.
 */
export function renderPostMarkdown(markdown: string): string {
  const withTasks = markdown.replace(/^(\s*[-*+] )\[( |x|X)\] /gm, (_m, bullet: string, mark: string) =>
    `${bullet}<input type="checkbox"${mark === ' ' ? '' : ' checked'} disabled> `,
  );
  return sanitizeHtml(md.render(withTasks), postPolicy);
}

/** Sanitises HTML written elsewhere (an imported WordPress post) exactly as rendered posts are. */
export function sanitizePostHtml(html: string): string {
  return sanitizeHtml(html, postPolicy);
}
