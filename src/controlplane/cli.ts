// CONTRACT: the control plane's CLI commands, registered on the program by src/cli/main.ts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { Io } from '../cli/common.js';
import { UsageError } from '../errors.js';
import { ControlPlaneClient, findWorkspace, waitForBuild, waitForJobOf, type BuildJson, type WorkspaceJson } from './client.js';

const urlOption = (cmd: Command) => cmd.option('--url <url>', 'server URL (or CODER_URL; default http://127.0.0.1:3000)');

/**
 * Asks before a destructive step. `--yes` skips it; without a terminal to ask on, the command
 * refuses rather than assume.
 */
async function confirm(question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new UsageError(`${question} Refusing without confirmation: pass --yes.`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') throw new UsageError('aborted');
  } finally {
    rl.close();
  }
}

async function orgId(c: ControlPlaneClient, ref: string): Promise<string> {
  return (await c.json<{ id: string }>('GET', `/api/v2/organizations/${encodeURIComponent(ref)}`)).id;
}

async function buildAndWait(io: Io, c: ControlPlaneClient, ws: WorkspaceJson, body: Record<string, unknown>): Promise<BuildJson> {
  const b = await c.json<BuildJson>('POST', `/api/v2/workspaces/${ws.id}/builds`, body);
  const done = await waitForBuild(c, b.id);
  if (done.job.status !== 'succeeded') throw new Error(`build ${done.build_number} ${done.job.status}${done.job.error ? `: ${done.job.error}` : ''}`);
  io.out(`${ws.name}: build ${done.build_number} ${done.status}`);
  return done;
}

/** The build a state command works on: --build N, or the latest. */
async function targetBuild(c: ControlPlaneClient, ws: WorkspaceJson, n: string | undefined): Promise<BuildJson> {
  if (n === undefined) return ws.latest_build;
  if (!/^\d+$/.test(n)) throw new UsageError(`--build: "${n}" is not a build number`);
  return c.json<BuildJson>('GET', `/api/v2/users/${encodeURIComponent(ws.owner_name)}/workspace/${encodeURIComponent(ws.name)}/builds/${n}`);
}

function parseParameters(list: string[] | undefined): { name: string; value: string }[] {
  return (list ?? []).map((p) => {
    const i = p.indexOf('=');
    if (i <= 0) throw new UsageError(`--parameter: "${p}" is not name=value`);
    return { name: p.slice(0, i), value: p.slice(i + 1) };
  });
}

/**
 * Commands that drive a running server's control plane (`--url`, CODER_SESSION_TOKEN):
 * `login`, `templates create|list|delete`, `create`, `list`, `start`, `stop`, `delete`, and
 * `state pull|push` (push `--no-build` replaces the state of a build in place, after a prompt).
 */
export function registerControlPlaneCommands(program: Command, io: Io): void {
  urlOption(program.command('login').description('Log in with a password; prints a session token for CODER_SESSION_TOKEN'))
    .requiredOption('--email <email>', 'email or username')
    .requiredOption('--password <password>', 'password')
    .action(async (opts) => {
      const c = ControlPlaneClient.from(opts, io.env, false);
      const r = await c.json<{ session_token: string }>('POST', '/api/v2/users/login', { email: opts.email, password: opts.password });
      io.out(r.session_token);
    });

  const templates = program.command('templates').description('Manage templates');
  urlOption(templates.command('create <name>').description('Upload a template file, import it, and create the template; prints its id'))
    .requiredOption('--file <path>', 'template source: a JSON echo template, or a tar/zip for an external provisioner')
    .option('--provisioner <type>', 'echo (built in) or terraform (external)', 'echo')
    .option('--org <organization>', 'organization', 'default')
    .action(async (name: string, opts) => {
      if (!existsSync(opts.file)) throw new UsageError(`--file: ${opts.file} does not exist`);
      if (!['echo', 'terraform'].includes(opts.provisioner)) throw new UsageError('--provisioner: expected echo or terraform');
      const c = ControlPlaneClient.from(opts, io.env);
      const data = readFileSync(opts.file);
      let type = 'application/x-tar';
      if (opts.file.endsWith('.zip')) type = 'application/zip';
      try {
        JSON.parse(data.toString('utf8'));
        type = 'application/json';
      } catch {
        // not JSON: a tar or zip archive
      }
      const { data: up } = await c.raw('POST', '/api/v2/files', data, type);
      const fileId = (JSON.parse(up.toString()) as { hash: string }).hash;
      const org = await orgId(c, opts.org);
      const v = await c.json<{ id: string }>('POST', `/api/v2/organizations/${org}/templateversions`, { storage_method: 'file', file_id: fileId, provisioner: opts.provisioner });
      if (opts.provisioner === 'echo') {
        const job = await waitForJobOf(c, v.id);
        if (job.status !== 'succeeded') throw new Error(`template import ${job.status}: ${job.error ?? ''}`);
      }
      const t = await c.json<{ id: string }>('POST', `/api/v2/organizations/${org}/templates`, { name, template_version_id: v.id });
      io.out(t.id);
    });

  urlOption(templates.command('list').description('List templates')).action(async (opts) => {
    const c = ControlPlaneClient.from(opts, io.env);
    for (const t of await c.json<{ name: string; organization_name: string; active_version_id: string }[]>('GET', '/api/v2/templates')) {
      io.out(`${t.organization_name}/${t.name}\t${t.active_version_id}`);
    }
  });

  urlOption(templates.command('delete <name>').description('Delete a template that has no workspaces'))
    .option('--org <organization>', 'organization', 'default')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (name: string, opts) => {
      const c = ControlPlaneClient.from(opts, io.env);
      const org = await orgId(c, opts.org);
      const t = await c.json<{ id: string }>('GET', `/api/v2/organizations/${org}/templates/${encodeURIComponent(name)}`);
      await confirm(`Delete template "${name}"?`, opts.yes);
      await c.json('DELETE', `/api/v2/templates/${t.id}`);
      io.out(`deleted template ${name}`);
    });

  urlOption(program.command('create <workspace>').description('Create a workspace and start it; prints its id'))
    .requiredOption('--template <name>', 'template name')
    .option('--org <organization>', 'organization', 'default')
    .option('--owner <user>', 'owner (default: you)', 'me')
    .option('--parameter <name=value...>', 'build parameters')
    .action(async (workspace: string, opts) => {
      const c = ControlPlaneClient.from(opts, io.env);
      const org = await orgId(c, opts.org);
      const t = await c.json<{ id: string }>('GET', `/api/v2/organizations/${org}/templates/${encodeURIComponent(opts.template)}`);
      const ws = await c.json<WorkspaceJson>('POST', `/api/v2/organizations/${org}/members/${encodeURIComponent(opts.owner)}/workspaces`, {
        name: workspace,
        template_id: t.id,
        rich_parameter_values: parseParameters(opts.parameter),
      });
      const b = await waitForBuild(c, ws.latest_build.id);
      if (b.job.status !== 'succeeded') throw new Error(`build 1 ${b.job.status}${b.job.error ? `: ${b.job.error}` : ''}`);
      io.out(ws.id);
    });

  urlOption(program.command('list').description('List workspaces you can see')).action(async (opts) => {
    const c = ControlPlaneClient.from(opts, io.env);
    const r = await c.json<{ workspaces: WorkspaceJson[] }>('GET', '/api/v2/workspaces');
    for (const w of r.workspaces) io.out(`${w.owner_name}/${w.name}\t${w.template_name}\t${w.latest_build?.status ?? ''}`);
  });

  for (const transition of ['start', 'stop'] as const) {
    urlOption(program.command(`${transition} <workspace>`).description(`${transition === 'start' ? 'Start' : 'Stop'} a workspace and wait for the build`))
      .option('--parameter <name=value...>', 'build parameters')
      .action(async (workspace: string, opts) => {
        const c = ControlPlaneClient.from(opts, io.env);
        const ws = await findWorkspace(c, workspace);
        await buildAndWait(io, c, ws, { transition, reason: 'cli', rich_parameter_values: parseParameters(opts.parameter) });
      });
  }

  urlOption(program.command('delete <workspace>').description('Delete a workspace (a delete build)'))
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (workspace: string, opts) => {
      const c = ControlPlaneClient.from(opts, io.env);
      const ws = await findWorkspace(c, workspace);
      await confirm(`Delete workspace "${workspace}"?`, opts.yes);
      await buildAndWait(io, c, ws, { transition: 'delete', reason: 'cli' });
    });

  const state = program.command('state').description('Read or replace the provisioner state of a workspace build (template managers)');
  urlOption(state.command('pull <workspace> [file]').description('Write the state of the latest (or --build N) build to a file or stdout'))
    .option('-b, --build <number>', 'build number (default: the latest)')
    .action(async (workspace: string, file: string | undefined, opts) => {
      const c = ControlPlaneClient.from(opts, io.env);
      const ws = await findWorkspace(c, workspace);
      const b = await targetBuild(c, ws, opts.build);
      const { data } = await c.raw('GET', `/api/v2/workspacebuilds/${b.id}/state`);
      if (file) writeFileSync(file, data);
      else io.out(data.toString('utf8'));
    });

  urlOption(state.command('push <workspace> <file>').description('Push a state file as a new build, or with --no-build onto the latest build in place'))
    .option('-b, --build <number>', 'build whose transition the new build repeats (default: the latest)')
    .option('-n, --no-build', 'update the state of the latest build without starting a build (asks first)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (workspace: string, file: string, opts) => {
      if (!existsSync(file)) throw new UsageError(`${file} does not exist`);
      const data = readFileSync(file);
      const c = ControlPlaneClient.from(opts, io.env);
      const ws = await findWorkspace(c, workspace);
      if (opts.build === false) {
        // As coder/coder PR #21374: the state of the latest build is replaced; no build, no job.
        const b = ws.latest_build;
        await confirm(`Replace the state of build ${b.build_number} of "${workspace}" without a build? No provisioner will run.`, opts.yes);
        await c.raw('PUT', `/api/v2/workspacebuilds/${b.id}/state`, data, 'application/json');
        io.out(`${ws.name}: state of build ${b.build_number} updated`);
        return;
      }
      const base = await targetBuild(c, ws, typeof opts.build === 'string' ? opts.build : undefined);
      await buildAndWait(io, c, ws, { transition: base.transition, state: data.toString('base64'), reason: 'cli' });
    });
}
