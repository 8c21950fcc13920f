// Builds the real app on a test database and drives it with fastify.inject like a browser without
// JavaScript: it keeps cookies, reads CSRF tokens from forms and submits url-encoded bodies.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import type { Database } from '../../src/db/connection.js';
import { loadProgrammeDefinitions } from '../../src/programme-files.js';
import { packageVersion } from '../../src/runtime.js';
import { buildApp, type RouteRecord } from '../../src/web/app.js';
import { demoPassword, testDatabase, type TestDatabaseOptions } from './database.js';

export interface TestApp {
  app: FastifyInstance;
  routeTable: RouteRecord[];
  database: Database;
  config: Config;
  client(): TestClient;
  close(): Promise<void>;
}

export async function startTestApp(options: TestDatabaseOptions & { env?: Record<string, string> } = { demo: true }): Promise<TestApp> {
  const database = await testDatabase(options);
  // A file store of its own (made only if something is stored), never the repository's ./data.
  const fileStoreDir = join(tmpdir(), `sotp-test-files-${randomUUID()}`);
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SOTP_DEMO_PASSWORD: demoPassword, FILE_STORE_DIR: fileStoreDir, ...options.env });
  const { app, routeTable } = await buildApp({ database, config, programmes: loadProgrammeDefinitions(), version: packageVersion });
  await app.ready();
  return {
    app,
    routeTable,
    database,
    config,
    client: () => new TestClient(app),
    async close() {
      await app.close();
      await database.close();
      await rm(config.fileStoreDir, { recursive: true, force: true });
    },
  };
}

export class TestClient {
  private readonly cookies = new Map<string, string>();
  lastCsrfToken: string | undefined;

  constructor(
    private readonly app: FastifyInstance,
    private readonly address = '127.0.0.1',
  ) {}

  private remember(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const expired = cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now());
      if (expired || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (token) this.lastCsrfToken = token;
    return response;
  }

  private cookieHeader(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }

  /** `headers` adds request headers a browser would send, such as the Referer. */
  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.remember(await this.app.inject({ method: 'GET', url, headers: { ...this.cookieHeader(), ...headers }, remoteAddress: this.address }));
  }

  /** Posts a form; the CSRF token from the last page read is added unless the form sets _csrf itself. */
  async post(url: string, form: Record<string, string | string[]> = {}, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    if (!('_csrf' in form) && this.lastCsrfToken) body.append('_csrf', this.lastCsrfToken);
    for (const [key, value] of Object.entries(form)) for (const v of [value].flat()) body.append(key, v);
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { ...this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: body.toString(),
        remoteAddress: this.address,
      }),
    );
  }

  /** Posts a multipart form with one file, as a browser does for <input type="file">; `content` may be bytes. */
  async postFile(
    url: string,
    fields: Record<string, string>,
    file: { field: string; name: string; content: string | Buffer; contentType?: string },
  ): Promise<LightMyRequestResponse> {
    const boundary = `----sotp${Date.now().toString(16)}`;
    const parts: Buffer[] = [];
    const all = { ...(this.lastCsrfToken && !('_csrf' in fields) ? { _csrf: this.lastCsrfToken } : {}), ...fields };
    for (const [key, value] of Object.entries(all))
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${value}\r\n`));
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: ${file.contentType ?? 'text/csv'}\r\n\r\n`,
      ),
      Buffer.from(file.content),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    );
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { ...this.cookieHeader(), 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: Buffer.concat(parts),
        remoteAddress: this.address,
      }),
    );
  }

  /** Signs in and, like a browser, follows the redirect: forms after sign-in carry a token bound to the new session. */
  async signIn(username: string, password = demoPassword): Promise<LightMyRequestResponse> {
    await this.get('/sign-in');
    const response = await this.post('/sign-in', { username, password });
    if (response.statusCode === 303) await this.get(String(response.headers.location));
    return response;
  }
}

/** The text of the GOV.UK error summary's items, for asserting on what a person is told. */
export function errorSummary(html: string): string[] {
  const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  return [...summary.matchAll(/<a href="[^"]*">([^<]*)<\/a>/g)].map((m) => m[1].trim());
}
