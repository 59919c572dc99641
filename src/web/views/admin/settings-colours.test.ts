import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CUSTOM_CSS_EXAMPLE } from './settings-view.ts';
import { AA_CONTRAST, accentProblem, contrastOn, contrastRatio, normalHex, THEME_BACKGROUNDS } from '../../../core/colour.ts';

const siteCss = fs.readFileSync(path.join(import.meta.dirname, '../../assets/site.css'), 'utf8');

describe('colours', () => {
  it('measures contrast as WCAG 2 does', () => {
    assert.equal(contrastRatio('#000000', '#ffffff'), 21);
    assert.equal(contrastRatio('#777', '#777777'), 1);
    assert.equal(Math.round(contrastRatio('#767676', '#ffffff') * 100) / 100, 4.54);
    assert.equal(normalHex(' #ABC '), '#aabbcc');
    assert.equal(normalHex('blue'), null);
  });

  it('knows the theme’s backgrounds as site.css sets them, light and dark', () => {
    const dark = siteCss.slice(siteCss.indexOf('@media (prefers-color-scheme: dark)'));
    const light = siteCss.slice(0, siteCss.indexOf('@media (prefers-color-scheme: dark)'));
    const variable = (css: string, name: string) => new RegExp(`--${name}: (#[0-9a-f]{6});`).exec(css)?.[1];
    assert.deepEqual(THEME_BACKGROUNDS.light, [variable(light, 'bg'), variable(light, 'surface')]);
    assert.deepEqual(THEME_BACKGROUNDS.dark, [variable(dark, 'bg'), variable(dark, 'surface')]);
  });

  it('gives an example in Settings whose colours meet AA in light and in dark', () => {
    assert.ok(CUSTOM_CSS_EXAMPLE.text.includes(CUSTOM_CSS_EXAMPLE.light) && CUSTOM_CSS_EXAMPLE.text.includes(CUSTOM_CSS_EXAMPLE.dark));
    assert.ok(contrastOn(CUSTOM_CSS_EXAMPLE.light, 'light') >= AA_CONTRAST);
    assert.ok(contrastOn(CUSTOM_CSS_EXAMPLE.dark, 'dark') >= AA_CONTRAST);
    // Each colour only in its own scheme: the light one would fail on the dark background.
    assert.ok(contrastOn(CUSTOM_CSS_EXAMPLE.light, 'dark') < AA_CONTRAST);
  });

  it('refuses an accent that is no hex colour or too faint, saying why', () => {
    assert.equal(accentProblem('', 'light'), null);
    assert.equal(accentProblem('#1d4ed8', 'light'), null);
    assert.equal(accentProblem('#93c5fd', 'dark'), null);
    assert.equal(accentProblem('red', 'light'), 'Write the light accent as a hex colour such as #1d4ed8.');
    assert.equal(accentProblem('#ffcc00', 'light'), 'The light accent #ffcc00 has a contrast of 1.4:1 on the light background; links need at least 4.5:1. Choose a darker colour.');
    assert.match(accentProblem('#1d4ed8', 'dark')!, /^The dark accent #1d4ed8 has a contrast of 2\.\d:1 on the dark background; .* Choose a lighter colour\.$/);
  });
});
