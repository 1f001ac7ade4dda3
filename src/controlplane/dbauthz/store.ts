import type { Database, Queryable } from '../../db/index.js';
import { authorize, SystemSubjects, workspaceObject, type RbacObject, type Subject, type SystemSubjectName, type WorkspaceAcl } from '../rbac/index.js';
import { BoundaryUsageAuthz } from './boundary-usage.js';
import { BuildsAuthz } from './builds.js';
import { NotAuthorizedError } from './errors.js';
import { FilesAuthz } from './files.js';
import { JobsAuthz } from './jobs.js';
import { LicensesAuthz } from './licenses.js';
import { OAuth2Authz } from './oauth2.js';
import { OrgsAuthz } from './orgs.js';
import { TelemetryAuthz } from './telemetry.js';
import { TemplatesAuthz } from './templates.js';
import { UsersAuthz } from './users.js';
import { WorkspacesAuthz } from './workspaces.js';

export { NotAuthorizedError };

export interface StoreOptions {
  /** `--disable-workspace-sharing`: workspace ACLs grant nothing. */
  deploymentSharingDisabled: boolean;
}

/**
 * The authorizing data layer (Coder's dbauthz): every query of the control plane goes through a
 * Store bound to one subject, and each method checks that subject against the rows it touches
 * before returning them or after loading what it would change. Services never see raw SQL.
 */
export class Store {
  readonly users: UsersAuthz;
  readonly orgs: OrgsAuthz;
  readonly files: FilesAuthz;
  readonly templates: TemplatesAuthz;
  readonly jobs: JobsAuthz;
  readonly workspaces: WorkspacesAuthz;
  readonly builds: BuildsAuthz;
  readonly licenses: LicensesAuthz;
  readonly oauth2: OAuth2Authz;
  readonly boundaryUsage: BoundaryUsageAuthz;
  readonly telemetry: TelemetryAuthz;

  constructor(
    readonly db: Database,
    readonly q: Queryable,
    readonly subject: Subject,
    readonly opts: StoreOptions,
    private readonly inTx = false,
  ) {
    this.users = new UsersAuthz(this);
    this.orgs = new OrgsAuthz(this);
    this.files = new FilesAuthz(this);
    this.templates = new TemplatesAuthz(this);
    this.jobs = new JobsAuthz(this);
    this.workspaces = new WorkspacesAuthz(this);
    this.builds = new BuildsAuthz(this);
    this.licenses = new LicensesAuthz(this);
    this.oauth2 = new OAuth2Authz(this);
    this.boundaryUsage = new BoundaryUsageAuthz(this);
    this.telemetry = new TelemetryAuthz(this);
  }

  /** The same connection (and transaction) under another subject. */
  as(subject: Subject): Store {
    return new Store(this.db, this.q, subject, this.opts, this.inTx);
  }

  /** The same connection under a system subject (Coder's dbauthz.AsProvisionerd and friends). */
  asSystem(name: SystemSubjectName): Store {
    return this.as(SystemSubjects[name]);
  }

  /** Runs fn in one transaction (joins the current one when already inside). */
  tx<T>(fn: (s: Store) => Promise<T>): Promise<T> {
    if (this.inTx) return fn(this);
    return this.db.tx((q) => fn(new Store(this.db, q, this.subject, this.opts, true)));
  }

  can(action: string, object: RbacObject): boolean {
    return authorize(this.subject, action, object);
  }

  /** Throws NotAuthorizedError unless the subject may do action on object. */
  authorize(action: string, object: RbacObject): void {
    if (!authorize(this.subject, action, object)) throw new NotAuthorizedError(this.subject.friendlyName, action, object.type);
  }

  /** A fetched row, checked: undefined when missing, NotAuthorizedError when not allowed. */
  check<R>(row: R | undefined, action: string, object: (r: R) => RbacObject): R | undefined {
    if (row === undefined) return undefined;
    this.authorize(action, object(row));
    return row;
  }

  /** Keeps the rows the subject may do action on (list endpoints). */
  filter<R>(rows: R[], action: string, object: (r: R) => RbacObject): R[] {
    return rows.filter((r) => authorize(this.subject, action, object(r)));
  }

  /** The RBAC object of a workspace row, honoring the deployment-wide sharing switch. */
  workspaceObject(w: { id?: string; owner_id: string; organization_id: string; user_acl?: WorkspaceAcl; group_acl?: WorkspaceAcl; dormant_at?: Date | null }): RbacObject {
    return workspaceObject(w, { sharingDisabled: this.opts.deploymentSharingDisabled });
  }
}
