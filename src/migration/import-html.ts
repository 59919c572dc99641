/**
 * WordPress stores post and comment bodies as HTML without paragraph tags: blank lines
 * are paragraphs and single line breaks are <br>, added on display by `wpautop`. This is
 * a light version of it: blocks already in block-level tags and <pre> are left alone.
 */

const BLOCK = 'address|article|aside|blockquote|details|div|dl|dd|dt|fieldset|figcaption|figure|footer|form|h[1-6]|header|hr|li|main|nav|ol|p|pre|section|summary|table|thead|tbody|tfoot|tr|td|th|ul|iframe|object|embed|video|audio|style|script|math|select|option|noscript';
const startsWithBlock = new RegExp(`^<(?:/?(?:${BLOCK})\\b|!--)`, 'i');
const endsWithBlock = new RegExp(`</(?:${BLOCK})>$`, 'i');
const blockOpen = new RegExp(`(<(?:${BLOCK})\\b[^>]*>)`, 'gi');
const blockClose = new RegExp(`(</(?:${BLOCK})>)`, 'gi');

export function autop(text: string): string {
  const source = text.replace(/\r\n?/g, '\n');
  if (!source.trim()) return '';
  // Keep <pre> (and script-like) bodies out of reach: their line breaks are content.
  const kept: string[] = [];
  let body = source.replace(/<(pre|textarea|script|style)\b[\s\S]*?<\/\1>/gi, (whole) => {
    kept.push(whole);
    return `\n\n\u0000${kept.length - 1}\u0000\n\n`;
  });
  // Block tags get a paragraph break around them, so text beside them becomes its own paragraph.
  body = body.replace(blockOpen, '\n\n$1').replace(blockClose, '$1\n\n');
  const blocks = body
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .filter((block) => block !== '');
  const out = blocks.map((block) => {
    if (/^\u0000\d+\u0000$/.test(block) || startsWithBlock.test(block) || endsWithBlock.test(block)) return block;
    return `<p>${block.replace(/\n/g, '<br>\n')}</p>`;
  });
  return out.join('\n').replace(/\u0000(\d+)\u0000/g, (_m, i: string) => kept[Number(i)]);
}
