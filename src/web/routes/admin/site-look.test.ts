import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { Agent, startTestKumbaya, type TestKumbaya } from '../../../../test/helpers/test-kumbaya.ts';

let k: TestKumbaya;
let owner: Agent;

before(async () => {
  k = await startTestKumbaya({ demo: true });
  owner = await k.signIn('owner');
});
after(() => k.cleanup());

const settings = { title: 'Kumbaya', description: 'A blog built for conversation.', navigation: 'Home | /', customCss: '', postsPerPage: '10', feedItems: '20' };

const iconOf = (page: string) => /<link rel="icon" href="([^"]+)"/.exec(page)?.[1];
const stylesheetOf = (page: string) => /<link rel="stylesheet" href="(\/assets\/custom\.css\?v=[^"]+)"/.exec(page)?.[1];

async function uploadIcon(): Promise<Response> {
  const png = await sharp({ create: { width: 64, height: 64, channels: 4, background: '#b45309' } }).png().toBuffer();
  const body = new FormData();
  body.set('_csrf', owner.csrf);
  body.set('file', new File([new Uint8Array(png)], 'icon.png', { type: 'image/png' }));
  return owner.request('/admin/settings/icon', { method: 'POST', body });
}

describe('Settings: accent colours and the site icon', () => {
  it('uses the light and the dark accent in the site’s stylesheet, before the custom CSS', async () => {
    const res = await owner.form('/admin/settings', { ...settings, accent: '#1D4ED8', accentDark: '#93c5fd', customCss: 'h1 { letter-spacing: 0; }' });
    assert.equal(res.status, 303);
    const href = stylesheetOf(await (await k.request('/')).text());
    assert.ok(href, 'the home page links the site’s stylesheet');
    const css = await (await k.request(href)).text();
    assert.equal(css, ':root { --accent: #1d4ed8; --link: #1d4ed8; }\n@media (prefers-color-scheme: dark) { :root { --accent: #93c5fd; --link: #93c5fd; } }\nh1 { letter-spacing: 0; }');
    const form = await (await owner.request('/admin/settings')).text();
    assert.match(form, /name="accent"[^>]*value="#1d4ed8"/);
    assert.match(form, /name="accentDark"[^>]*value="#93c5fd"/);
  });

  it('refuses an accent that is not a colour or would be hard to read, with 422 and the reason', async () => {
    const res = await owner.form('/admin/settings', { ...settings, accent: '#ffcc00', accentDark: 'navy' });
    assert.equal(res.status, 422);
    const page = await res.text();
    assert.match(page, /id="f-accent-error">The light accent #ffcc00 has a contrast of 1\.4:1 on the light background; links need at least 4\.5:1\. Choose a darker colour\./);
    assert.match(page, /id="f-accentDark-error">Write the dark accent as a hex colour such as #93c5fd\./);
    assert.match(page, /name="accent"[^>]*value="#ffcc00"/, 'what was typed stays');
    // Nothing was saved: the earlier accent is still served.
    const css = await (await k.request(stylesheetOf(await (await k.request('/')).text())!)).text();
    assert.match(css, /--accent: #1d4ed8/);
  });

  it('serves Kumbaya’s icon at /favicon.ico without a redirect until one is set', async () => {
    const res = await k.request('/favicon.ico');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/svg+xml');
    assert.match(iconOf(await (await k.request('/')).text()) ?? '', /^\/assets\/favicon\.[0-9a-f]{12}\.svg$/);
  });

  it('uploads an icon into the media library and makes it the site’s: every page names it, /favicon.ico answers it', async () => {
    const res = await uploadIcon();
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/admin/settings?notice=icon-saved');
    const icon = iconOf(await (await k.request('/')).text())!;
    assert.match(icon, /^\/uploads\/[0-9a-f]{64}\.png$/);
    assert.equal(iconOf(await (await owner.request('/admin/posts')).text()), icon, 'the admin names it too');
    const favicon = await k.request('/favicon.ico');
    assert.equal(favicon.status, 200);
    assert.equal(favicon.headers.get('content-type'), 'image/png');
    assert.deepEqual(new Uint8Array(await favicon.arrayBuffer()), new Uint8Array(await (await k.request(icon)).arrayBuffer()));
    // While it is the icon, the media library keeps it, even when asked to force.
    const hash = /\/uploads\/([0-9a-f]{64})/.exec(icon)![1];
    const refused = await owner.form(`/admin/uploads/${hash}/delete`, { confirm: 'yes', force: 'yes' });
    assert.equal(refused.status, 409);
    assert.match(await refused.text(), /This image is the site’s icon\. Choose another icon \(or none\) in Settings first, then delete it\./);
    assert.equal((await k.request(icon)).status, 200);
    // The library lists it, and Settings offers it to pick.
    assert.match(await (await owner.request('/admin/uploads')).text(), /icon\.png/);
    assert.match(await (await owner.request('/admin/settings')).text(), new RegExp(`<option value="${icon}" selected>icon\\.png \\(64 × 64\\)`));
  });

  it('takes an https address or an image picked from the library; refuses anything else', async () => {
    let res = await owner.form('/admin/settings', { ...settings, favicon: 'https://cdn.example/icon.png' });
    assert.equal(res.status, 303);
    assert.equal(iconOf(await (await k.request('/')).text()), 'https://cdn.example/icon.png');
    const picked = (await k.deps.store.uploads.list({ q: 'icon', limit: 1, offset: 0 })).items[0];
    res = await owner.form('/admin/settings', { ...settings, favicon: 'https://cdn.example/icon.png', faviconPick: `/uploads/${picked.hash}.png` });
    assert.equal(res.status, 303);
    assert.equal(iconOf(await (await k.request('/')).text()), `/uploads/${picked.hash}.png`, 'the picked image wins over the address');
    for (const bad of ['http://cdn.example/icon.png', 'javascript:alert(1)', '/etc/passwd', '/uploads/abc.png']) {
      res = await owner.form('/admin/settings', { ...settings, favicon: bad });
      assert.equal(res.status, 422, bad);
      assert.match(await res.text(), /id="f-favicon-error">The icon is an image from the media library \(\/uploads\/…\) or an https:\/\/ address\./);
    }
  });

  it('refuses a file that is no image, and only the owner may set the icon', async () => {
    const body = new FormData();
    body.set('_csrf', owner.csrf);
    body.set('file', new File(['<svg onload="alert(1)"/>'], 'icon.svg', { type: 'image/svg+xml' }));
    const res = await owner.request('/admin/settings/icon', { method: 'POST', body, headers: { accept: 'application/json' } });
    assert.equal(res.status, 415);
    const author = await k.signIn('author');
    const form = new FormData();
    form.set('_csrf', author.csrf);
    form.set('file', new File([new Uint8Array(8)], 'x.png', { type: 'image/png' }));
    assert.equal((await author.request('/admin/settings/icon', { method: 'POST', body: form })).status, 403);
  });
});
