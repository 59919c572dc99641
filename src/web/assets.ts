import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface Asset {
  body: Buffer;
  contentType: string;
  /** Content hash; part of the public URL so the file can be cached for a year. */
  hash: string;
}

const types: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml' };

/** The theme's CSS and the small scripts, read once at start and served by hashed URL. */
export class Assets {
  private readonly byName = new Map<string, Asset>();
  private readonly urls = new Map<string, string>();

  constructor(folder = path.join(import.meta.dirname, 'assets')) {
    for (const file of fs.readdirSync(folder)) {
      const type = types[path.extname(file)];
      if (!type) continue;
      const body = fs.readFileSync(path.join(folder, file));
      this.byName.set(file, { body, contentType: type, hash: createHash('sha256').update(body).digest('hex').slice(0, 12) });
    }
  }

  /** Public URL of a named asset, e.g. /assets/site.3f2a9c01b7de.css (made once per asset: every page names a few). */
  url(name: string): string {
    let url = this.urls.get(name);
    if (url === undefined) {
      const asset = this.byName.get(name);
      if (!asset) throw new Error(`Unknown asset ${name}`);
      const ext = path.extname(name);
      url = `/assets/${path.basename(name, ext)}.${asset.hash}${ext}`;
      this.urls.set(name, url);
    }
    return url;
  }

  /** Finds an asset by its public file name (with or without the hash). */
  find(publicName: string): Asset | null {
    const match = /^([a-z0-9-]+)(?:\.([0-9a-f]{12}))?(\.[a-z]+)$/.exec(publicName);
    if (!match) return null;
    const asset = this.byName.get(`${match[1]}${match[3]}`);
    if (!asset || (match[2] && match[2] !== asset.hash)) return null;
    return asset;
  }
}
