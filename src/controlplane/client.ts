import { UsageError } from '../errors.js';

/** The default API address of `aibridge serve` (setting http.address). */
export const DefaultUrl = 'http://127.0.0.1:3000';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A small REST client for the control-plane CLI commands (session token from CODER_SESSION_TOKEN). */
export class ControlPlaneClient {
  constructor(
    readonly url: string,
    private readonly token: string | undefined,
  ) {}

  static from(opts: { url?: string }, env: NodeJS.ProcessEnv, needToken = true): ControlPlaneClient {
    const url = opts.url ?? env.CODER_URL ?? DefaultUrl;
    try {
      new URL(url);
    } catch {
      throw new UsageError(`--url: "${url}" is not a URL`);
    }
    if (needToken && !env.CODER_SESSION_TOKEN) throw new UsageError('set CODER_SESSION_TOKEN to an API token (see `aibridge login` or `aibridge tokens create`)');
    return new ControlPlaneClient(url, env.CODER_SESSION_TOKEN);
  }

  async raw(method: string, path: string, body?: Buffer | unknown, contentType?: string): Promise<{ status: number; data: Buffer }> {
    const headers: Record<string, string> = {};
    if (this.token) headers['Coder-Session-Token'] = this.token;
    let payload: BodyInit | undefined;
    if (Buffer.isBuffer(body)) {
      payload = new Uint8Array(body) as unknown as BodyInit;
      headers['content-type'] = contentType ?? 'application/octet-stream';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(new URL(path, this.url), { method, headers, body: payload });
    const data = Buffer.from(await res.arrayBuffer());
    if (res.status >= 400) {
      let msg = data.toString('utf8');
      try {
        const j = JSON.parse(msg) as { message?: string; detail?: string; validations?: { field: string; detail: string }[] };
        msg = [j.message, j.detail, ...(j.validations ?? []).map((v) => `${v.field}: ${v.detail}`)].filter(Boolean).join(': ');
      } catch {
        // not JSON
      }
      throw new ApiError(res.status, `${method} ${path}: ${res.status} ${msg}`);
    }
    return { status: res.status, data };
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { data } = await this.raw(method, path, body);
    return (data.length ? JSON.parse(data.toString('utf8')) : undefined) as T;
  }
}

export interface BuildJson {
  id: string;
  build_number: number;
  transition: 'start' | 'stop' | 'delete';
  status: string;
  job: { id: string; status: string; error?: string };
}

export interface WorkspaceJson {
  id: string;
  name: string;
  owner_name: string;
  template_name: string;
  latest_build: BuildJson;
}

const done = new Set(['succeeded', 'failed', 'canceled']);

/** Polls a build until its job finishes; the CLI's `--wait`. */
export async function waitForBuild(c: ControlPlaneClient, buildId: string, timeoutMs = 10 * 60_000, intervalMs = 200): Promise<BuildJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const b = await c.json<BuildJson>('GET', `/api/v2/workspacebuilds/${buildId}`);
    if (done.has(b.job.status)) return b;
    if (Date.now() > deadline) throw new Error(`build ${b.build_number} is still ${b.job.status} after ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function waitForJobOf(c: ControlPlaneClient, versionId: string, timeoutMs = 10 * 60_000, intervalMs = 200): Promise<{ status: string; error?: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await c.json<{ job: { status: string; error?: string } }>('GET', `/api/v2/templateversions/${versionId}`);
    if (done.has(v.job.status)) return v.job;
    if (Date.now() > deadline) throw new Error(`template import is still ${v.job.status} after ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** `owner/name` or `name` (the caller's). */
export async function findWorkspace(c: ControlPlaneClient, ref: string): Promise<WorkspaceJson> {
  const [owner, name] = ref.includes('/') ? ref.split('/', 2) : ['me', ref];
  try {
    return await c.json<WorkspaceJson>('GET', `/api/v2/users/${encodeURIComponent(owner)}/workspace/${encodeURIComponent(name)}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) throw new UsageError(`no workspace "${ref}"`);
    throw err;
  }
}
