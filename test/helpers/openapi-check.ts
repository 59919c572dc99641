import { AssertionError } from 'node:assert';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * Checks every response under /api against the OpenAPI document the app serves at
 * /api/openapi.json (issue 13, point 1): the path must match one of its templates, the
 * method and the status must be documented for it, the content type must be one the
 * response documents (or none, when it documents no body) and a JSON body must match the
 * schema, checked by Ajv (JSON Schema draft 2020-12, the dialect of OpenAPI 3.1). Only the
 * API's catch-all may answer an address the document does not describe: a 404 problem.
 * test-kumbaya.ts runs it on every request, so each API test checks the contract as it goes.
 */

type Json = Record<string, unknown>;
type Fetch = (path: string, init?: RequestInit) => Response | Promise<Response>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

export const isApiRequest = (pathname: string): boolean => pathname === '/api' || pathname.startsWith('/api/');

interface Template {
  path: string;
  pattern: RegExp;
  /** Fewer parameters and more literal text: the more specific template wins, as in the router. */
  params: number;
  literal: number;
  item: Json;
}

export class OpenApiChecker {
  readonly document: Json;
  private readonly ajv: Ajv2020;
  private readonly templates: Template[];
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly defs: Json;

  constructor(document: Json) {
    this.document = document;
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats.default(this.ajv);
    // Component schemas become $defs of each compiled schema, their $refs rewritten to match.
    const components = (document.components as Json | undefined) ?? {};
    this.defs = rewriteRefs((components.schemas as Json | undefined) ?? {}) as Json;
    this.templates = Object.entries(document.paths as Record<string, Json>)
      .map(([path, item]) => {
        const names = path.match(/\{[^}]+\}/g) ?? [];
        const source = path
          .split(/\{[^}]+\}/)
          .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('([^/]+)');
        return { path, pattern: new RegExp(`^${source}$`), params: names.length, literal: path.replace(/\{[^}]+\}/g, '').length, item };
      })
      .sort((a, b) => a.params - b.params || b.literal - a.literal);
  }

  /** The document's template for a path, if any. */
  templateFor(pathname: string): Template | undefined {
    return this.templates.find((t) => t.pattern.test(pathname));
  }

  private resolve(node: Json): Json {
    let current = node;
    for (let hops = 0; typeof current.$ref === 'string' && hops < 10; hops++) {
      const pointer = (current.$ref as string).replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
      let target: unknown = this.document;
      for (const part of pointer) target = (target as Json | undefined)?.[part];
      if (!target || typeof target !== 'object') throw new AssertionError({ message: `The document's $ref ${String(current.$ref)} points nowhere.` });
      current = target as Json;
    }
    return current;
  }

  private validator(key: string, schema: Json): ValidateFunction {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile({ ...(rewriteRefs(schema) as Json), $defs: this.defs });
      this.compiled.set(key, validate);
    }
    return validate;
  }

  /** Throws an AssertionError naming what does not match. `body` is the text of the response. */
  check(method: string, url: URL, res: Response, body: string | null): void {
    const where = `${method} ${url.pathname} → ${res.status}`;
    const fail = (problem: string): never => {
      throw new AssertionError({ message: `${where}: ${problem} (checked against /api/openapi.json)` });
    };
    const template = this.templateFor(url.pathname);
    const operation = template?.item[method.toLowerCase()] as Json | undefined;
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (!template || !operation) {
      // The catch-all: anything the document does not describe is a 404 problem.
      if (res.status !== 404) fail(template ? `the method ${method} is not documented for ${template.path}` : 'the path is not documented');
      if (mediaType !== 'application/problem+json') fail(`an undocumented address must answer a 404 problem, not ${mediaType || 'no content type'}`);
      this.checkBody(where, 'catch-all', { $ref: '#/components/schemas/Problem' }, body);
      return;
    }
    if (!METHODS.includes(method.toLowerCase())) fail('not an HTTP method OpenAPI describes');
    const responses = operation.responses as Record<string, Json>;
    const documented = responses[String(res.status)] ?? responses[`${String(res.status)[0]}XX`] ?? responses.default;
    if (!documented) fail(`the status ${res.status} is not documented for ${method} ${template.path} (documented: ${Object.keys(responses).join(', ')})`);
    const response = this.resolve(documented);
    const content = response.content as Record<string, Json> | undefined;
    if (!content || Object.keys(content).length === 0) {
      if (body !== null && body !== '') fail(`the documented response has no body, but one came (${mediaType})`);
      return;
    }
    const media = content[mediaType];
    if (!media) fail(`the content type ${mediaType || '(none)'} is not documented (documented: ${Object.keys(content).join(', ')})`);
    if (media.schema && /^application\/(?:[\w.-]+\+)?json$/.test(mediaType) && body !== null) {
      this.checkBody(where, `${method} ${template.path} ${res.status} ${mediaType}`, media.schema as Json, body);
    }
    this.checkScope(where, operation, res, body);
  }

  private checkBody(where: string, key: string, schema: Json, body: string | null): void {
    let value: unknown;
    try {
      value = JSON.parse(body ?? '');
    } catch {
      throw new AssertionError({ message: `${where}: the body is not JSON: ${(body ?? '').slice(0, 200)}` });
    }
    const validate = this.validator(key, schema);
    if (!validate(value)) {
      const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
      throw new AssertionError({ message: `${where}: the body does not match the documented schema: ${problems.join('; ')}\n${(body ?? '').slice(0, 500)}` });
    }
  }

  /** A refusal for want of a scope must name the scope the operation documents. */
  private checkScope(where: string, operation: Json, res: Response, body: string | null): void {
    if (res.status !== 403 || !body) return;
    const code = (JSON.parse(body) as { code?: string }).code;
    if (code !== 'insufficient_scope') return;
    const needed = /scope="([^"]+)"/.exec(res.headers.get('www-authenticate') ?? '')?.[1];
    const security = (operation.security ?? this.document.security) as Array<Record<string, string[]>>;
    const documented = security.flatMap((s) => s.bearerAuth ?? []);
    if (!needed || !documented.includes(needed)) {
      throw new AssertionError({ message: `${where}: refused for want of the scope "${needed}", but the operation documents ${JSON.stringify(documented)}` });
    }
  }
}

/** `#/components/schemas/X` → `#/$defs/X`, everywhere in a schema. */
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, key === '$ref' && typeof value === 'string' ? value.replace('#/components/schemas/', '#/$defs/') : rewriteRefs(value)]),
  );
}

const checkers = new WeakMap<object, Promise<OpenApiChecker>>();

/** The checker for the document an app serves, fetched once per app. */
function checkerFor(app: object, fetch: Fetch): Promise<OpenApiChecker> {
  let checker = checkers.get(app);
  if (!checker) {
    checker = (async () => {
      const res = await fetch('/api/openapi.json');
      if (res.status !== 200) throw new AssertionError({ message: `GET /api/openapi.json answered ${res.status}` });
      return new OpenApiChecker((await res.json()) as Json);
    })();
    checkers.set(app, checker);
  }
  return checker;
}

/**
 * Checks a response of `app` to a request under /api against the document it serves; other
 * requests pass untouched. Streams (text/event-stream) are checked without reading them.
 */
export async function checkApiResponse(app: object, fetch: Fetch, pathOrUrl: string, init: RequestInit | undefined, res: Response): Promise<void> {
  const url = new URL(pathOrUrl, 'http://localhost');
  if (!isApiRequest(url.pathname)) return;
  const method = (init?.method ?? 'GET').toUpperCase();
  if (method === 'HEAD' || method === 'OPTIONS') return;
  const checker = await checkerFor(app, fetch);
  const streaming = (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
  const body = streaming || res.body === null ? null : await res.clone().text();
  checker.check(method, url, res, body);
}
