import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Assets } from './assets.ts';
import { embedFiles } from './routes/embed.ts';

// The budget for what a page of another site downloads: the loader at most 3 KB
// gzipped, the component (script and styles) at most 25 KB gzipped — as served.
const KB = 1024;
const gzipped = (body: Buffer) => gzipSync(body, { level: 9 }).length;

test('the embed loader is at most 3 KB gzipped, the component with its styles at most 25 KB', () => {
  const files = embedFiles(new Assets());
  const loader = gzipped(files.loader);
  const component = gzipped(files.component.body) + gzipped(files.styles.body);
  assert.ok(loader <= 3 * KB, `embed.js is ${loader} bytes gzipped (budget 3 KB)`);
  assert.ok(component <= 25 * KB, `the component is ${component} bytes gzipped (budget 25 KB)`);
});

test('the served files carry no inline style or script for a strict CSP to refuse', () => {
  const { component, loader } = embedFiles(new Assets());
  for (const body of [component.body.toString(), loader.toString()]) {
    assert.doesNotMatch(body, /\.style\s*[.=[]|setAttribute\(\s*'style'|<style|innerHTML\s*=\s*`/, 'no inline styles');
    assert.doesNotMatch(body, /\beval\(|new Function\(/, 'no code from strings');
  }
});
