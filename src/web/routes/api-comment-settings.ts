import { Hono } from 'hono';
import { saveCommentSettings, type CommentSettings } from '../../core/comment-settings.ts';
import { DomainError } from '../../core/errors.ts';
import type { AppEnv } from '../context.ts';
import { apiCommentSettingsPatchSchema, type ApiCommentSettings } from '../openapi-comment-settings.ts';
import { limitBody, limitWrites, parseWith, readJson } from './api-request.ts';
import { requireRole } from './api-staff.ts';

const snakeCase = (key: string) => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
const camelCase = (key: string) => key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

function settingsOut(s: CommentSettings): ApiCommentSettings {
  return Object.fromEntries(Object.entries(s).map(([key, value]) => [snakeCase(key), value])) as ApiCommentSettings;
}

/** The comment policy in the JSON API, mounted at /api/comment-settings; the rules are saveCommentSettings'. */
export function apiCommentSettingsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    requireRole(c, 'read', ['owner', 'moderator'], 'The comment settings are for the owner (and moderators may read them).');
    return c.json(settingsOut(await c.get('deps').commentSettings()));
  });

  app.patch('/', limitWrites, limitBody, async (c) => {
    requireRole(c, 'admin', ['owner'], 'Only the owner can change the comment settings.');
    const { store, changes, commentSettings } = c.get('deps');
    const input = parseWith(apiCommentSettingsPatchSchema, await readJson(c, { optional: false }), 'a JSON object with the settings to change, e.g. {"hold_all": true}');
    const sent = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined).map(([key, value]) => [camelCase(key), value]));
    let saved: CommentSettings;
    try {
      saved = await saveCommentSettings(store, { ...(await commentSettings()), ...sent });
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
      const fields = Object.fromEntries(Object.entries(error.fields).map(([name, problem]) => [snakeCase(name), problem]));
      const [name, problem] = Object.entries(fields)[0] ?? ['body', error.message];
      throw new DomainError('validation_failed', `${name}: ${problem}`, fields);
    }
    changes.publish('settings-changed');
    return c.json(settingsOut(saved));
  });

  return app;
}
