/**
 * Markdown rendering, loaded on first use. markdown-it, highlight.js and sanitize-html
 * are a sixth of start-up, and serving pages never needs them: HTML is rendered when a
 * post or comment is saved. Each module is imported once: an `import()` of a module
 * already loaded still resolves its specifier and looks its job up (~16 µs), which every
 * comment posted paid.
 */
let posts: Promise<typeof import('./markdown.ts')> | undefined;
let comments: Promise<typeof import('./comment-markdown.ts')> | undefined;

export async function renderPostMarkdown(markdown: string): Promise<string> {
  return (await (posts ??= import('./markdown.ts'))).renderPostMarkdown(markdown);
}

export async function renderCommentMarkdown(markdown: string): Promise<string> {
  return (await (comments ??= import('./comment-markdown.ts'))).renderCommentMarkdown(markdown);
}
