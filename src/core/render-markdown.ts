/**
 * Markdown rendering, loaded on first use. markdown-it, highlight.js and sanitize-html
 * are a sixth of start-up, and serving pages never needs them: HTML is rendered when a
 * post or comment is saved.
 */
export async function renderPostMarkdown(markdown: string): Promise<string> {
  return (await import('./markdown.ts')).renderPostMarkdown(markdown);
}

export async function renderCommentMarkdown(markdown: string): Promise<string> {
  return (await import('./comment-markdown.ts')).renderCommentMarkdown(markdown);
}
