import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/helpers.js';
import { spawnServe } from '../helpers/serve.js';


function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', ...args], { timeout: 20_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

/** `curl -w` adds the status on its own last line. */
async function curlJson(args: string[]): Promise<{ status: number; body: any }> {
  const r = await curl([...args, '-w', '\n%{http_code}']);
  const i = r.stdout.lastIndexOf('\n');
  const text = r.stdout.slice(0, i);
  return { status: Number(r.stdout.slice(i + 1)), body: text ? JSON.parse(text) : undefined };
}

describe('a new user with curl and the CLI against `aibridge serve`', () => {
  const children: ChildProcess[] = [];
  let upstream: Server | undefined;
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await new Promise<void>((r) => (upstream ? upstream.close(() => r()) : r()));
  });

  it('creates a user and a token, a template and a workspace, starts it, reads and pushes its state, stops it; bridge and proxy take the token', async () => {
    // A local stand-in for OpenAI, so nothing leaves the machine.
    upstream = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'mock-model', object: 'model' }], path: req.url }));
    });
    await new Promise<void>((r) => upstream!.listen(0, '127.0.0.1', () => r()));
    const upstreamPort = (upstream.address() as { port: number }).port;

    const dataDir = mkdtempSync(join(tmpdir(), 'cp-e2e-'));
    const { child, stdout, addresses, exit: exited } = await spawnServe(dataDir, { env: { CODER_AIBRIDGE_OPENAI_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1` }, output: /HTTPS_PROXY=/ });
    children.push(child);
    const out = stdout();
    const url = `http://${addresses.http}`;
    const admin = /token:\s+(\S+)/.exec(out)![1];

    // The admin creates a template manager with curl.
    const created = await curlJson([
      '-X', 'POST', `${url}/api/v2/users`, '-H', `Coder-Session-Token: ${admin}`, '-H', 'content-type: application/json',
      '-d', JSON.stringify({ username: 'dev', email: 'dev@example.com', password: 'dev-password-1', roles: ['template-admin'] }),
    ]);
    expect(created.status).toBe(201);

    // The user logs in and makes a token with the CLI.
    const login = await runCli(['login', '--url', url, '--email', 'dev@example.com', '--password', 'dev-password-1']);
    expect(login.code, login.err).toBe(0);
    const tok = await runCli(['tokens', 'create', '--url', url, '--user', 'me', '--lifetime', '1h', '--name', 'laptop'], { CODER_SESSION_TOKEN: login.out });
    expect(tok.code, tok.err).toBe(0);
    const env = { CODER_SESSION_TOKEN: tok.out };
    const me = await curlJson([`${url}/api/v2/users/me`, '-H', `Authorization: Bearer ${tok.out}`]);
    expect(me.body).toMatchObject({ username: 'dev', roles: [{ name: 'template-admin' }] });

    // A template from an echo file (CLI), a workspace from it (curl), started by the echo provisioner.
    const file = join(dataDir, 'template.json');
    writeFileSync(file, JSON.stringify({ resources: [{ name: 'box', type: 'echo_box', agents: [{ name: 'main' }] }] }));
    const tpl = await runCli(['templates', 'create', 'starter', '--url', url, '--file', file], env);
    expect(tpl.code, tpl.err).toBe(0);
    const ws = await runCli(['create', 'devbox', '--template', 'starter', '--url', url], env);
    expect(ws.code, ws.err).toBe(0);
    const running = await curlJson([`${url}/api/v2/workspaces/${ws.out}`, '-H', `Coder-Session-Token: ${tok.out}`]);
    expect(running.body.latest_build).toMatchObject({ status: 'running', job: { status: 'succeeded' }, resources: [{ name: 'box', agents: [{ name: 'main' }] }] });
    expect((await runCli(['stop', 'devbox', '--url', url], env)).out).toBe('devbox: build 2 stopped');
    expect((await runCli(['start', 'devbox', '--url', url], env)).out).toBe('devbox: build 3 running');
    expect((await runCli(['list', '--url', url], env)).out).toBe('dev/devbox\tstarter\trunning');

    // Read the state, push an edited one in place (no build), then stop: the stop build carries it.
    const statePath = join(dataDir, 'state.json');
    expect((await runCli(['state', 'pull', 'devbox', statePath, '--url', url], env)).code).toBe(0);
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    expect(state).toMatchObject({ version: 4, resources: [{ type: 'echo_box', name: 'box' }] });
    state.serial = 99;
    writeFileSync(statePath, JSON.stringify(state));
    const refused = await runCli(['state', 'push', 'devbox', statePath, '--no-build', '--url', url], env);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('--yes');
    const pushed = await runCli(['state', 'push', 'devbox', statePath, '--no-build', '--yes', '--url', url], env);
    expect(pushed.code, pushed.err).toBe(0);
    const latest = (await curlJson([`${url}/api/v2/users/me/workspace/devbox`, '-H', `Coder-Session-Token: ${tok.out}`])).body.latest_build;
    const viaCurl = await curl([`${url}/api/v2/workspacebuilds/${latest.id}/state`, '-H', `Coder-Session-Token: ${tok.out}`]);
    expect(JSON.parse(viaCurl.stdout).serial).toBe(99);
    const stopped = await runCli(['stop', 'devbox', '--url', url], env);
    expect(stopped.code, stopped.err).toBe(0);
    expect(stopped.out).toBe('devbox: build 4 stopped');
    const after = await runCli(['state', 'pull', 'devbox', '--url', url], env);
    expect(JSON.parse(after.out).serial).toBe(99);

    // The bridge and the proxy accept the new user's token.
    const bridged = await curlJson([`${url}/api/v2/aibridge/openai/v1/models`, '-H', `Authorization: Bearer ${tok.out}`]);
    expect(bridged.status).toBe(200);
    expect(bridged.body.data[0].id).toBe('mock-model');
    expect((await curlJson([`${url}/api/v2/aibridge/openai/v1/models`, '-H', 'Authorization: Bearer nope'])).status).toBe(401);
    const ca = join(dataDir, 'ca', 'ca.pem');
    const proxied = await curlJson(['--proxy', `http://coder:${tok.out}@${addresses.proxy}`, '--cacert', ca, 'https://api.openai.com/v1/models']);
    expect(proxied.status).toBe(200);
    expect(proxied.body.data[0].id).toBe('mock-model');

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);
});
