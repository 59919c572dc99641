/**
 * Code blocks and tables scroll sideways when they are wider than the screen (site.css);
 * a keyboard reaches such a region only when it can take the focus, so each gets
 * tabindex="0" (WCAG 2.1.1; axe's scrollable-region-focusable). Done as a post is served,
 * so posts saved or imported before this rule get it too. `html` is sanitised HTML.
 */
export function focusableScrollables(html: string): string {
  if (!html.includes('<pre') && !html.includes('<table')) return html;
  return html.replace(/<(pre|table)(?=[\s>])(?![^>]*\btabindex=)/g, '<$1 tabindex="0"');
}
