/**
 * Characters XML 1.0 cannot hold at all, not even as a character reference: the C0
 * controls other than tab, line feed and carriage return, U+FFFE, U+FFFF and lone
 * surrogates. One of them anywhere makes the whole document unparsable, so every XML
 * writer (feeds, sitemap, WXR export, XML-RPC answers) passes its text through
 * `xmlSafe` and they are dropped; they carry no visible meaning in a title or a comment.
 */
const notXml = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** `text` without the characters XML 1.0 forbids. */
export function xmlSafe(text: string): string {
  return text.replace(notXml, '');
}
