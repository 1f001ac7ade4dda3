import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServe } from '../helpers/serve.js';
import { curl, tmpDir } from './helpers.js';


describe('the proxy inside `aibridge serve`', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  it('takes a curl through the proxy with the bootstrap token and the generated CA to the bridge route', async () => {
    const dataDir = tmpDir('proxy-serve-');
    // The provider base URL points at a closed local port: whatever the bridge answers, nothing leaves the machine.
    const { child, stdout, addresses, exit: exited } = await spawnServe(dataDir, { env: { CODER_AIBRIDGE_OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }, output: /HTTPS_PROXY=/ });
    children.push(child);
    const out = stdout();
    const token = /HTTPS_PROXY=http:\/\/coder:(\S+)@/.exec(out)![1];
    const ca = join(dataDir, 'ca', 'ca.pem');

    const r = await curl(['-i', '--proxy', `http://coder:${token}@${addresses.proxy}`, '--cacert', ca, 'https://api.openai.com/v1/models']);
    expect(r.stderr).toBe('');
    const status = Number(/HTTP\/1\.1 (\d{3})[^\n]*\r\n(?![\s\S]*HTTP\/1\.1 \d{3})/.exec(r.stdout)?.[1]);
    // The answer is the bridge's (JSON), not one of the proxy's own plain-text errors.
    expect(r.stdout.toLowerCase()).toContain('content-type: application/json');
    const metrics = await (await fetch(`http://${addresses.metrics}/metrics`)).text();
    expect(metrics).toContain('coder_aibridgeproxyd_connect_sessions_total{type="mitm"} 1');
    expect(metrics).toContain('coder_aibridgeproxyd_mitm_requests_total{provider="openai"} 1');
    expect(metrics).toContain(`coder_aibridgeproxyd_mitm_responses_total{code="${status}",provider="openai"} 1`);

    const refused = await curl(['-i', '--proxy', `http://coder:not-a-token@${addresses.proxy}`, '--cacert', ca, 'https://api.openai.com/v1/models']);
    expect(refused.stdout).toMatch(/^HTTP\/1\.1 407/);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
