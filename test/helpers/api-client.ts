import assert from 'node:assert/strict';
import type { z } from 'zod';
import type { Role, User } from '../../src/core/store.ts';
import type { TestKumbaya } from './test-kumbaya.ts';

type Json = Record<string, any>;
type Operation = { responses: Record<string, unknown> };

/**
 * A JSON API client for tests: tokens of each role, requests, and two checks on every
 * answer — its status is one the OpenAPI document lists for that operation, and (when a
 * zod schema is given) its body has the documented shape.
 */
export class ApiClient {
  private readonly k: TestKumbaya;
  private doc: { paths: Record<string, Record<string, Operation>> } | null = null;
  private users = 0;

  constructor(k: TestKumbaya) {
    this.k = k;
  }

  async token(role: Role, name = 'script'): Promise<{ user: User; secret: string }> {
    this.users++;
    const user = await this.k.deps.auth.createUser({ name: `${role} ${this.users}`, email: `api-${role}-${this.users}-${Math.random().toString(16).slice(2, 8)}@example.com`, password: 'correct horse battery' }, role);
    return { user, secret: (await this.k.deps.auth.createApiToken(user, name)).secret };
  }

  /** The documented operation answering `method path` (a path template matched segment by segment). */
  private async operation(method: string, path: string): Promise<Operation | undefined> {
    if (!this.doc) this.doc = (await (await this.k.request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, Operation>> };
    const segments = path.split('?')[0].split('/');
    for (const [template, item] of Object.entries(this.doc.paths)) {
      const parts = template.split('/');
      if (parts.length === segments.length && parts.every((p, i) => p.startsWith('{') || p === segments[i])) {
        const op = item[method.toLowerCase()];
        if (op) return op;
      }
    }
    return undefined;
  }

  /** Sends a request; checks that the status is documented for the operation; the response. */
  async call(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string>; form?: FormData } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | FormData | undefined = options.form;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const res = await this.k.request(path, { method, headers, body });
    const op = await this.operation(method, path);
    assert.ok(op, `${method} ${path} is in /api/openapi.json`);
    assert.ok(op.responses[String(res.status)], `${method} ${path} answered ${res.status}, which the document does not list`);
    return res;
  }

  /** Expects `status`; the JSON body (null for none), checked against `schema` when given. */
  async expect<S extends z.ZodType>(method: string, path: string, status: number, options: { token?: string; body?: unknown; form?: FormData; schema?: S } = {}): Promise<S extends z.ZodType ? any : never> {
    const res = await this.call(method, path, options);
    const text = await res.text();
    assert.equal(res.status, status, `${method} ${path}: ${text}`);
    const body = text ? JSON.parse(text) : null;
    if (options.schema) {
      const parsed = options.schema.safeParse(body);
      assert.ok(parsed.success, `${method} ${path} matches the documented schema: ${JSON.stringify(parsed.error?.issues)}`);
    }
    return body;
  }

  /** Expects a refusal with `status`; the API's error ({ code, message, fields? }). */
  async refused(method: string, path: string, status: number, options: { token?: string; body?: unknown; form?: FormData; headers?: Record<string, string> } = {}): Promise<{ code: string; message: string; fields?: Record<string, string> }> {
    const res = await this.call(method, path, options);
    const text = await res.text();
    assert.equal(res.status, status, `${method} ${path}: ${text}`);
    const body = JSON.parse(text) as Json;
    // The body is JSON either way: { error: {…} } today, application/problem+json once the API speaks it.
    const error = (body.error ?? body) as { code: string; message?: string; detail?: string; fields?: Record<string, string> };
    return { code: error.code, message: error.message ?? error.detail ?? '', fields: error.fields };
  }
}
