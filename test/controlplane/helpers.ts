import { testConfig } from '../../src/config/index.js';
import { bootstrapFirstUser, createControlPlane, type ControlPlane, type ControlPlaneDeps } from '../../src/controlplane/index.js';
import type { Database } from '../../src/db/index.js';
import { authenticateApiKey, cachedTokenCheck } from '../../src/db/queries/api-keys.js';
import { startApiServer, type ApiServer } from '../../src/server/api-server.js';
import type { Engine } from '../helpers/db.js';
import { testLog } from '../helpers/log.js';

export interface Response<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** A tiny REST client for one session token. */
export class Client {
  constructor(
    readonly url: string,
    readonly token?: string,
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response<T>> {
    const h: Record<string, string> = { ...headers };
    if (this.token) h['Coder-Session-Token'] = this.token;
    let payload: BodyInit | undefined;
    if (Buffer.isBuffer(body)) payload = new Uint8Array(body);
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.url + path, { method, headers: h, body: payload });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed as T, text, headers: res.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers);
  }
  put<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PUT', path, body ?? {}, headers);
  }
  patch<T = any>(path: string, body?: unknown) {
    return this.request<T>('PATCH', path, body ?? {});
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }

  as(token: string): Client {
    return new Client(this.url, token);
  }
}

export interface Harness {
  db: Database;
  api: ApiServer;
  cp: ControlPlane;
  url: string;
  admin: Client;
  adminId: string;
  orgId: string;
  /** Creates a user with the given site roles and returns a client logged in as them. */
  user(opts?: { roles?: string[]; orgRoles?: string[]; password?: boolean }): Promise<Client & { id: string; username: string }>;
  close(): Promise<void>;
}

let seq = 0;

/** A database, the control plane on a real API server on 127.0.0.1:0, and the bootstrap admin. */
export async function startHarness(engine: Engine, opts: { config?: Record<string, unknown>; deps?: Partial<ControlPlaneDeps> } = {}): Promise<Harness> {
  const db = await engine.open();
  const config = testConfig(opts.config ?? {});
  const tokenCheck = cachedTokenCheck((t) => authenticateApiKey(db, t), 30_000);
  const boot = await bootstrapFirstUser(db);
  const cp = createControlPlane({ config, db, log: testLog, tokenCheck, ...opts.deps });
  await cp.ready;
  const api = await startApiServer({ address: '127.0.0.1:0', log: testLog, modules: [cp] });
  const admin = new Client(api.url, boot!.token);
  const me = await admin.get('/api/v2/users/me');
  const org = await admin.get('/api/v2/organizations/default');
  const h: Harness = {
    db,
    api,
    cp,
    url: api.url,
    admin,
    adminId: me.body.id,
    orgId: org.body.id,
    async user(o = {}) {
      seq += 1;
      const username = `user${seq}-${Math.random().toString(36).slice(2, 7)}`;
      const created = await admin.post('/api/v2/users', {
        username,
        email: `${username}@example.com`,
        ...(o.password ? { password: 'correct-horse-battery' } : { login_type: 'none' }),
        roles: o.roles ?? [],
      });
      if (created.status !== 201) throw new Error(`create user: ${created.status} ${created.text}`);
      if (o.orgRoles?.length) {
        const r = await admin.put(`/api/v2/organizations/${h.orgId}/members/${created.body.id}/roles`, { roles: o.orgRoles });
        if (r.status !== 200) throw new Error(`org roles: ${r.status} ${r.text}`);
      }
      // A password login where the test needs one; otherwise a session key minted by the admin (no KDF work).
      const session = o.password
        ? await new Client(api.url).post('/api/v2/users/login', { email: `${username}@example.com`, password: 'correct-horse-battery' })
        : await admin.post(`/api/v2/users/${created.body.id}/keys`);
      if (session.status !== 201) throw new Error(`session: ${session.status} ${session.text}`);
      return Object.assign(new Client(api.url, session.body.session_token ?? session.body.key), { id: created.body.id as string, username });
    },
    async close() {
      await api.close(1000);
      await db.close();
    },
  };
  return h;
}

/** An echo template file (JSON). */
export function echoFile(spec: Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify(spec));
}

/** Uploads a file, creates a version and a template from it, and waits for the import. */
export async function createTemplate(h: Harness, as: Client, opts: { spec?: Record<string, unknown>; name?: string; orgId?: string; body?: Record<string, unknown> } = {}) {
  const orgId = opts.orgId ?? h.orgId;
  const file = await as.post('/api/v2/files', echoFile(opts.spec), { 'content-type': 'application/json' });
  if (file.status !== 201 && file.status !== 200) throw new Error(`upload: ${file.status} ${file.text}`);
  const version = await as.post(`/api/v2/organizations/${orgId}/templateversions`, { storage_method: 'file', file_id: file.body.hash, provisioner: 'echo' });
  if (version.status !== 201) throw new Error(`version: ${version.status} ${version.text}`);
  await h.cp.provisioner!.waitForJob(version.body.job.id);
  seq += 1;
  const template = await as.post(`/api/v2/organizations/${orgId}/templates`, {
    name: opts.name ?? `tpl-${seq}-${Math.random().toString(36).slice(2, 6)}`,
    template_version_id: version.body.id,
    ...opts.body,
  });
  if (template.status !== 201) throw new Error(`template: ${template.status} ${template.text}`);
  return { template: template.body, version: version.body, fileId: file.body.hash as string };
}

/** Creates a workspace for `owner` (default: the caller) and waits for its first build. */
export async function createWorkspace(h: Harness, as: Client, templateId: string, opts: { owner?: string; name?: string; orgId?: string; body?: Record<string, unknown> } = {}) {
  const res = await as.post(`/api/v2/organizations/${opts.orgId ?? h.orgId}/members/${opts.owner ?? 'me'}/workspaces`, {
    template_id: templateId,
    ...(opts.name ? { name: opts.name } : {}),
    ...opts.body,
  });
  if (res.status !== 201) throw new Error(`workspace: ${res.status} ${res.text}`);
  await h.cp.provisioner!.waitForJob(res.body.latest_build.job.id);
  return res.body;
}

/** Starts a build and waits for its job. */
export async function build(h: Harness, as: Client, workspaceId: string, body: Record<string, unknown>) {
  const res = await as.post(`/api/v2/workspaces/${workspaceId}/builds`, body);
  if (res.status === 201) await h.cp.provisioner!.waitForJob(res.body.job.id);
  return res;
}
