import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const bin = new URL('../../../bin/aibridge.js', import.meta.url).pathname;

describe('aibridge mock-upstream', () => {
  it('prints its URLs, enforces --key, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'mock-upstream', '--address', '127.0.0.1:0', '--key', 'cli-key'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
        if (m && out.includes('ANTHROPIC_BASE_URL=')) resolve(m[1]!);
      });
      child.on('exit', () => reject(new Error(`exited early: ${err}`)));
    });
    expect(out).toContain(`OPENAI_BASE_URL=${url}/v1\n`);
    expect(out).toContain(`ANTHROPIC_BASE_URL=${url}\n`);

    const ask = (key: string) =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'cli' }] }),
      });
    const ok = await ask('cli-key');
    expect(((await ok.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('echo: cli');
    expect((await ask('other')).status).toBe(401);

    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(err).toBe('');
  });
});
