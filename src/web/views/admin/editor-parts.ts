import { DESCRIPTION_SHOWN, SEO_LIMITS } from '../../../core/post-seo.ts';
import { html, type SafeHtml } from '../../html.ts';

/**
 * The writing desk's parts (issue 14, point 1): the Markdown toolbar with its shortcuts,
 * the word count, the excerpt beside the text, the SEO fields with their link card, and
 * the alt-text dialog for pasted or dropped images. editor.js brings them to life; without
 * JavaScript the toolbar, tabs, count and dialog stay hidden and the form works as before.
 */

/** One toolbar button: what it does (data-md), its name, the glyph shown and its shortcut. */
interface ToolbarButton {
  action: string;
  label: string;
  glyph: string;
  /** aria-keyshortcuts value (Control stands for ⌘ on a Mac). */
  keys?: string;
  /** How the shortcut is shown in the tooltip and the help. */
  shown?: string;
}

const toolbarGroups: ToolbarButton[][] = [
  [
    { action: 'heading', label: 'Heading', glyph: 'H', keys: 'Control+Alt+2', shown: 'Ctrl+Alt+2' },
    { action: 'bold', label: 'Bold', glyph: 'B', keys: 'Control+B', shown: 'Ctrl+B' },
    { action: 'italic', label: 'Italic', glyph: 'I', keys: 'Control+I', shown: 'Ctrl+I' },
  ],
  [
    { action: 'link', label: 'Link', glyph: 'Link', keys: 'Control+K', shown: 'Ctrl+K' },
    { action: 'bullets', label: 'Bulleted list', glyph: '•—', keys: 'Control+Shift+8', shown: 'Ctrl+Shift+8' },
    { action: 'numbers', label: 'Numbered list', glyph: '1—', keys: 'Control+Shift+7', shown: 'Ctrl+Shift+7' },
    { action: 'quote', label: 'Quote', glyph: '❝', keys: 'Control+Shift+9', shown: 'Ctrl+Shift+9' },
    { action: 'code', label: 'Code', glyph: '</>', keys: 'Control+E', shown: 'Ctrl+E' },
  ],
  [{ action: 'image', label: 'Image', glyph: 'Image', keys: 'Control+Shift+U', shown: 'Ctrl+Shift+U' }],
];

/** The toolbar above the text: one tab stop, arrow keys move between buttons (a roving tabindex). */
function toolbar(): SafeHtml {
  let first = true;
  const button = (b: ToolbarButton) => {
    const tip = b.shown ? `${b.label} (${b.shown})` : b.label;
    const out = html`<button type="button" class="md-tool md-${b.action}" data-md="${b.action}" title="${tip}"${b.keys ? html` aria-keyshortcuts="${b.keys}"` : ''} tabindex="${first ? '0' : '-1'}"><span aria-hidden="true">${b.glyph}</span><span class="visually-hidden">${b.label}</span></button>`;
    first = false;
    return out;
  };
  return html`<div class="md-toolbar js-only" role="toolbar" aria-label="Formatting" aria-controls="f-markdown" data-md-toolbar>
  ${toolbarGroups.map((group) => html`<span class="md-group">${group.map(button)}</span>`)}
  <details class="md-help">
    <summary>Shortcuts</summary>
    <div class="md-help-body">
      <p>On a Mac, use ⌘ for Ctrl.</p>
      <dl>
        ${toolbarGroups.flat().map((b) => html`<div><dt>${b.label}</dt><dd><kbd>${b.shown ?? ''}</kbd></dd></div>`)}
        <div><dt>Save</dt><dd><kbd>Ctrl+S</kbd></dd></div>
      </dl>
      <p>Paste or drop an image into the text to upload it where the cursor is.</p>
    </div>
  </details>
</div>`;
}

/** Write / Preview tabs: shown on narrow screens, where the preview cannot sit beside the text. */
export function paneTabs(): SafeHtml {
  return html`<div class="pane-tabs js-only" role="tablist" aria-label="Text or preview" data-pane-tabs>
  <button type="button" role="tab" id="tab-write" aria-controls="pane-write" aria-selected="true" data-pane="write">Write</button>
  <button type="button" role="tab" id="tab-preview" aria-controls="pane-preview" aria-selected="false" tabindex="-1" data-pane="preview">Preview</button>
</div>`;
}

/** The Markdown text with its toolbar, word count and reading time. */
export function markdownField(o: { value: string; error?: string }): SafeHtml {
  const describedBy = ['f-markdown-hint', o.error ? 'f-markdown-error' : ''].filter(Boolean).join(' ');
  return html`<div class="field markdown-field">
  <label for="f-markdown">Text</label>
  ${toolbar()}
  <div class="md-drop" data-md-drop>
    <textarea id="f-markdown" name="markdown" rows="22" class="markdown-input" spellcheck="true" data-markdown aria-describedby="${describedBy}"${o.error ? html` aria-invalid="true"` : ''}>${o.value}</textarea>
    <p class="md-drop-hint" aria-hidden="true">Drop the image to upload it here</p>
  </div>
  <div class="md-meta">
    <p class="hint" id="f-markdown-hint">Markdown: **bold**, _italic_, [link](https://…), ## heading, \`\`\`code\`\`\`, tables and footnotes.<span class="js-only"> Paste or drop an image to add it.</span></p>
    <p class="word-count js-only" data-word-count aria-live="off"></p>
  </div>
  ${o.error ? html`<p class="field-error" id="f-markdown-error">${o.error}</p>` : ''}
</div>`;
}

/** The excerpt beside the text; the automatic one (the start of the text) is its placeholder. */
export function excerptField(o: { value: string; automatic: string; error?: string }): SafeHtml {
  return html`<div class="field excerpt-field">
  <label for="f-excerpt">Excerpt <span class="optional">(optional)</span></label>
  <textarea id="f-excerpt" name="excerpt" rows="3" maxlength="600" placeholder="${o.automatic}" data-excerpt aria-describedby="f-excerpt-hint${o.error ? ' f-excerpt-error' : ''}"${o.error ? html` aria-invalid="true"` : ''}>${o.value}</textarea>
  <p class="hint" id="f-excerpt-hint">Shown in lists, feeds and link previews. Empty: the start of the text, as shown faintly.</p>
  ${o.error ? html`<p class="field-error" id="f-excerpt-error">${o.error}</p>` : ''}
</div>`;
}

export interface SeoValues {
  metaDescription: string;
  socialImage: string;
  canonicalUrl: string;
}

/** What the link card shows before the author changes anything. */
export interface CardDefaults {
  title: string;
  /** The excerpt the page uses when there is no meta description. */
  excerpt: string;
  /** The cover image, used when there is no social image. */
  coverImage: string;
  /** The post's own address (absolute). */
  url: string;
  /** The site's host name, as cards show it. */
  host: string;
}

function seoInput(o: { name: keyof SeoValues; label: string; value: string; hint: SafeHtml | string; error?: string; attrs: SafeHtml }): SafeHtml {
  const id = `f-${o.name}`;
  return html`<div class="field">
  <label for="${id}">${o.label} <span class="optional">(optional)</span></label>
  <input type="text" id="${id}" name="${o.name}" value="${o.value}" aria-describedby="${id}-hint${o.error ? ` ${id}-error` : ''}"${o.error ? html` aria-invalid="true"` : ''}${o.attrs}>
  <p class="hint" id="${id}-hint">${o.hint}</p>
  ${o.error ? html`<p class="field-error" id="${id}-error">${o.error}</p>` : ''}
</div>`;
}

/** Search and sharing: the page head's description, card image and canonical address, and the card as it will look. */
export function seoFieldset(o: { values: SeoValues; fields: Record<string, string>; card: CardDefaults }): SafeHtml {
  const v = o.values;
  const description = v.metaDescription || o.card.excerpt;
  // Only what the page may show: an upload here or an https image (a refused value shown again is not loaded).
  const candidate = v.socialImage || o.card.coverImage;
  const image = /^\/uploads\/[\w.-]+$/.test(candidate) || /^https:\/\/\S+$/.test(candidate) ? candidate : '';
  return html`<fieldset class="editor-settings seo-settings">
  <legend>Search and sharing</legend>
  <div class="seo-grid">
    <div class="seo-fields">
      <div class="field">
        <label for="f-metaDescription">Meta description <span class="optional">(optional)</span></label>
        <textarea id="f-metaDescription" name="metaDescription" rows="3" maxlength="${SEO_LIMITS.metaDescription}" placeholder="${o.card.excerpt}" data-seo-description aria-describedby="f-metaDescription-hint f-metaDescription-count${o.fields.metaDescription ? ' f-metaDescription-error' : ''}"${o.fields.metaDescription ? html` aria-invalid="true"` : ''}>${v.metaDescription}</textarea>
        <p class="hint" id="f-metaDescription-hint">What search results and link cards say under the title. Empty: the excerpt.</p>
        <p class="hint char-count" id="f-metaDescription-count" data-char-count data-shown="${DESCRIPTION_SHOWN}">${v.metaDescription.length} of about ${DESCRIPTION_SHOWN} characters shown in search results.</p>
        ${o.fields.metaDescription ? html`<p class="field-error" id="f-metaDescription-error">${o.fields.metaDescription}</p>` : ''}
      </div>
      ${seoInput({ name: 'socialImage', label: 'Social image', value: v.socialImage, error: o.fields.socialImage, hint: 'The picture on link cards (Mastodon, Bluesky, chat apps): an uploaded image (/uploads/…) or an https:// address, ideally 1200 × 630. Empty: the cover image.', attrs: html` maxlength="${SEO_LIMITS.url}" autocomplete="off" spellcheck="false" data-seo-image` })}
      ${seoInput({ name: 'canonicalUrl', label: 'Canonical URL', value: v.canonicalUrl, error: o.fields.canonicalUrl, hint: html`Only when this text first appeared elsewhere: its original https:// address, so search engines credit that one. Empty: this post’s own address.`, attrs: html` maxlength="${SEO_LIMITS.url}" autocomplete="off" spellcheck="false" inputmode="url" placeholder="${o.card.url}" data-seo-canonical` })}
    </div>
    <figure class="link-card-preview" data-link-card data-default-image="${o.card.coverImage}" data-default-description="${o.card.excerpt}">
      <figcaption>Link card preview</figcaption>
      <div class="link-card">
        <div class="link-card-image" data-card-image-box${image ? '' : html` hidden`}><img${image ? html` src="${image}"` : ''} alt="" data-card-image></div>
        <div class="link-card-text">
          <p class="link-card-host" data-card-host>${o.card.host}</p>
          <p class="link-card-title" data-card-title>${o.card.title || 'Untitled'}</p>
          <p class="link-card-description" data-card-description>${description}</p>
        </div>
      </div>
    </figure>
  </div>
</fieldset>`;
}

/** Asked before a pasted or dropped image is uploaded: its alt text (a real dialog, not window.prompt). */
export function altTextDialog(): SafeHtml {
  return html`<dialog class="alt-dialog" aria-labelledby="alt-dialog-title" data-alt-dialog>
  <form method="dialog" class="alt-dialog-form">
    <h2 id="alt-dialog-title">Describe this image</h2>
    <img class="alt-dialog-thumb" alt="" data-alt-thumb>
    <p class="alt-dialog-file muted" data-alt-file></p>
    <div class="field">
      <label for="alt-dialog-text">Alt text</label>
      <textarea id="alt-dialog-text" rows="3" maxlength="200" aria-describedby="alt-dialog-hint" data-alt-text></textarea>
      <p class="hint" id="alt-dialog-hint">For readers who cannot see it: what it shows, in a sentence. Search engines read it too.</p>
    </div>
    <label class="checkbox"><input type="checkbox" data-alt-decorative> It is decorative: readers lose nothing without it</label>
    <p class="field-error" role="alert" data-alt-error hidden></p>
    <div class="alt-dialog-actions">
      <button type="submit" value="upload" data-alt-upload>Upload and insert</button>
      <button type="submit" value="cancel" class="secondary" formnovalidate>Cancel</button>
    </div>
  </form>
</dialog>`;
}
