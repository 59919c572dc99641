import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';

/** The JSON API (placeholder until the API lands). */
export function apiRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
