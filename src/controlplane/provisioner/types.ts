export type JobStatus = 'pending' | 'running' | 'succeeded' | 'canceling' | 'canceled' | 'failed' | 'unknown';
export type JobType = 'template_version_import' | 'workspace_build' | 'template_version_dry_run';

export interface ProvisionerJob {
  id: string;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  canceled_at: Date | null;
  completed_at: Date | null;
  error: string | null;
  organization_id: string;
  initiator_id: string;
  provisioner: 'echo' | 'terraform';
  storage_method: 'file';
  type: JobType;
  input: { template_version_id?: string; workspace_build_id?: string; dry_run?: boolean };
  worker_id: string | null;
  file_id: string;
  tags: Record<string, string>;
  error_code: string | null;
  job_status: JobStatus;
  logs_length: number;
  logs_overflowed: boolean;
}

export interface WorkspaceResource {
  id: string;
  created_at: Date;
  job_id: string;
  transition: 'start' | 'stop' | 'delete';
  type: string;
  name: string;
  hide: boolean;
  icon: string;
  daily_cost: number;
}

export interface WorkspaceAgent {
  id: string;
  created_at: Date;
  updated_at: Date;
  name: string;
  resource_id: string;
  auth_token: string;
  architecture: string;
  operating_system: string;
  lifecycle_state: string;
  api_key_scope: string;
}

/** What a provisioner reports for a finished job (the echo provisioner, or an external one). */
export interface JobResult {
  error?: string;
  errorCode?: string;
  /** Workspace builds: the new provisioner state. */
  state?: Buffer;
  resources?: ResourceSpec[];
  /** Imports: the template's parameters and readme. */
  parameters?: ParameterSpec[];
  readme?: string;
}

export interface AgentSpec {
  name: string;
  operating_system?: string;
  architecture?: string;
  /** Set when the provisioner decides the token; otherwise a random one is minted. */
  auth_token?: string;
}

export interface ResourceSpec {
  name: string;
  type: string;
  hide?: boolean;
  icon?: string;
  daily_cost?: number;
  agents?: AgentSpec[];
}

export interface ParameterSpec {
  name: string;
  description?: string;
  type?: string;
  mutable?: boolean;
  default_value?: string;
  required?: boolean;
}

/** Coder's codersdk.ProvisionerJob. */
export function jobJson(j: ProvisionerJob, queuePosition = 0) {
  return {
    id: j.id,
    created_at: j.created_at.toISOString(),
    started_at: j.started_at?.toISOString(),
    completed_at: j.completed_at?.toISOString(),
    canceled_at: j.canceled_at?.toISOString(),
    error: j.error ?? undefined,
    error_code: j.error_code ?? undefined,
    file_id: j.file_id,
    tags: j.tags,
    queue_position: queuePosition,
    queue_size: 0,
    organization_id: j.organization_id,
    initiator_id: j.initiator_id,
    input: j.input,
    type: j.type,
    available_workers: [],
    status: j.job_status,
    worker_id: j.worker_id ?? undefined,
    logs_overflowed: j.logs_overflowed,
  };
}

export function resourcesJson(resources: WorkspaceResource[], agents: WorkspaceAgent[]) {
  return resources.map((r) => ({
    id: r.id,
    created_at: r.created_at.toISOString(),
    job_id: r.job_id,
    workspace_transition: r.transition,
    type: r.type,
    name: r.name,
    hide: r.hide,
    icon: r.icon,
    daily_cost: r.daily_cost,
    metadata: [],
    agents: agents
      .filter((a) => a.resource_id === r.id)
      .map((a) => ({
        id: a.id,
        created_at: a.created_at.toISOString(),
        updated_at: a.updated_at.toISOString(),
        name: a.name,
        resource_id: a.resource_id,
        architecture: a.architecture,
        operating_system: a.operating_system,
        lifecycle_state: a.lifecycle_state,
        status: 'connecting',
        api_key_scope: a.api_key_scope,
      })),
  }));
}
