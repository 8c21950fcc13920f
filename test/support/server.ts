// The real `sotp serve` in a child process (from source, as the CLI tests run it), and a client that talks to it
// over HTTP like a browser without JavaScript: it keeps cookies, reads CSRF tokens from forms and follows nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { demoPassword } from './database.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  url: string;
  pid: number;
  /** SIGTERM, as an operator stops it: it closes the database cleanly. */
  stop(): Promise<void>;
  /** SIGKILL: the process ends at once, mid-request, as in a power cut of the process (not of the machine). */
  kill(): Promise<void>;
}

/** Starts `sotp serve` on the database in `env` (DATA_DIR or DATABASE_URL) on a port the OS picks. */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'serve'], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'test', SOTP_DEMO_PASSWORD: demoPassword, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s: ${stderr}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const match = /serving (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, pid: child.pid!, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}

export interface HttpResponse {
  status: number;
  location: string | null;
  body: string;
}

/** One visitor's cookies and latest CSRF token; each request names the server, so one visitor can use several. */
export class HttpVisitor {
  private readonly cookies = new Map<string, string>();
  csrfToken: string | undefined;

  private async send(url: string, init: RequestInit): Promise<HttpResponse> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const expired = value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const body = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
    if (token) this.csrfToken = token;
    return { status: response.status, location: response.headers.get('location'), body };
  }

  get(url: string): Promise<HttpResponse> {
    return this.send(url, { method: 'GET' });
  }

  /** Posts a url-encoded form with the CSRF token of the last page read (unless the form sets _csrf). */
  post(url: string, form: Record<string, string> = {}): Promise<HttpResponse> {
    const body = new URLSearchParams({ ...(this.csrfToken ? { _csrf: this.csrfToken } : {}), ...form });
    return this.send(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  /** Posts a multipart form with one file, as a browser does for <input type="file">. */
  postFile(url: string, fields: Record<string, string>, file: { field: string; name: string; content: string }): Promise<HttpResponse> {
    const body = new FormData();
    if (this.csrfToken) body.append('_csrf', this.csrfToken);
    for (const [key, value] of Object.entries(fields)) body.append(key, value);
    body.append(file.field, new Blob([file.content], { type: 'text/csv' }), file.name);
    return this.send(url, { method: 'POST', body });
  }

  /** Signs in on the server at `baseUrl` and reads the page it leads to (whose forms carry the new session's token). */
  async signIn(baseUrl: string, username: string, password = demoPassword): Promise<HttpResponse> {
    await this.get(`${baseUrl}/sign-in`);
    const response = await this.post(`${baseUrl}/sign-in`, { username, password });
    if (response.status === 303 && response.location) await this.get(new URL(response.location, baseUrl).toString());
    return response;
  }
}

/** A JSON request to the API with a bearer token. */
export async function apiRequest(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}
