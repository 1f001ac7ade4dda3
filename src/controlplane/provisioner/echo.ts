import type { Transition } from '../builds/types.js';
import type { JobResult, ParameterSpec, ResourceSpec } from './types.js';

/**
 * The built-in echo provisioner's template format: a JSON file whose fields say what an import
 * or a build "provisions", so the whole lifecycle runs without Terraform. Every field is
 * optional; a file that is not a JSON object (a tar, say) provisions the defaults.
 *
 * ```json
 * { "parameters": [{ "name": "region", "default_value": "eu", "mutable": true }],
 *   "resources": [{ "name": "dev", "type": "echo_instance",
 *                   "agents": [{ "name": "main", "operating_system": "linux", "architecture": "amd64" }] }],
 *   "readme": "…", "state": { … }, "error": "fail every job", "apply_error": "fail builds" }
 * ```
 */
export interface EchoSpec {
  parameters?: ParameterSpec[];
  resources?: ResourceSpec[];
  readme?: string;
  /** The state every successful build writes; by default builds keep the state they were given. */
  state?: unknown;
  error?: string;
  /** Fails builds: a message, or one per transition. */
  apply_error?: string | Partial<Record<Transition, string>>;
}

export const DefaultEchoResources: ResourceSpec[] = [
  { name: 'dev', type: 'echo_instance', agents: [{ name: 'main', operating_system: 'linux', architecture: 'amd64' }] },
];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a template file; a JSON object with wrong field shapes becomes a spec that fails. */
export function parseEchoSpec(data: Buffer): EchoSpec {
  let v: unknown;
  try {
    v = JSON.parse(data.toString('utf8'));
  } catch {
    return {};
  }
  if (!isObject(v)) return {};
  const problems: string[] = [];
  if (v.parameters !== undefined && (!Array.isArray(v.parameters) || v.parameters.some((p) => !isObject(p) || typeof p.name !== 'string'))) {
    problems.push('parameters must be a list of objects with a name');
  }
  if (
    v.resources !== undefined &&
    (!Array.isArray(v.resources) ||
      v.resources.some(
        (r) => !isObject(r) || typeof r.name !== 'string' || typeof r.type !== 'string' || (r.agents !== undefined && (!Array.isArray(r.agents) || r.agents.some((a) => !isObject(a) || typeof a.name !== 'string'))),
      ))
  ) {
    problems.push('resources must be a list of objects with a name, a type and optional agents with names');
  }
  if (problems.length) return { error: `invalid echo template: ${problems.join('; ')}` };
  return v as EchoSpec;
}

/** An import: the template's parameters, readme and preview resources. */
export function echoImport(spec: EchoSpec): JobResult {
  if (spec.error) return { error: spec.error };
  return {
    parameters: (spec.parameters ?? []).map((p) => ({ ...p, default_value: p.default_value === undefined ? '' : String(p.default_value) })),
    resources: spec.resources ?? DefaultEchoResources,
    readme: spec.readme ?? '',
  };
}

function initialState(resources: ResourceSpec[], lineage: string): Buffer {
  const state = {
    version: 4,
    terraform_version: 'echo',
    serial: 1,
    lineage,
    outputs: {},
    resources: resources.map((r) => ({ mode: 'managed', type: r.type, name: r.name, provider: 'echo', instances: [{ attributes: { id: r.name } }] })),
  };
  return Buffer.from(JSON.stringify(state));
}

/**
 * A build: start provisions the resources with their agents; stop keeps the resources without
 * agents; delete leaves nothing. The state is the spec's when it sets one, else the state the
 * build was given (so pushed state survives builds), else a fresh Terraform-shaped state.
 */
export function echoBuild(spec: EchoSpec, transition: Transition, previousState: Buffer | null, lineage: string): JobResult {
  if (spec.error) return { error: spec.error };
  const applyError = typeof spec.apply_error === 'string' ? spec.apply_error : spec.apply_error?.[transition];
  if (applyError) return { error: applyError };
  const declared = spec.resources ?? DefaultEchoResources;
  const resources = transition === 'start' ? declared : transition === 'stop' ? declared.map(({ agents: _agents, ...r }) => r) : [];
  let state: Buffer;
  if (spec.state !== undefined) state = Buffer.from(typeof spec.state === 'string' ? spec.state : JSON.stringify(spec.state));
  else if (previousState && previousState.length > 0) state = previousState;
  else state = initialState(declared, lineage);
  return { resources, state };
}
