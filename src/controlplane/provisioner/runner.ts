import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/index.js';
import type { Logger } from '../../log.js';
import { Store, type StoreOptions } from '../dbauthz/store.js';
import { SystemSubjects } from '../rbac/index.js';
import { completeJob } from './complete.js';
import { echoBuild, echoImport, parseEchoSpec } from './echo.js';
import type { JobResult, ProvisionerJob } from './types.js';

/**
 * The built-in echo provisioner daemon: claims pending `echo` jobs (any replica may; claims skip
 * rows another holds), "provisions" what the template file declares, and completes the job. It
 * wakes when this process queues a job and polls for jobs queued elsewhere.
 */
export class EchoProvisioner {
  readonly workerId = randomUUID();
  private readonly events = new EventEmitter();
  private readonly store: Store;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    db: Database,
    storeOptions: StoreOptions,
    private readonly log: Logger,
    private readonly pollMs = 1000,
  ) {
    this.store = new Store(db, db, SystemSubjects.provisionerd, storeOptions);
    this.events.setMaxListeners(0);
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Processes pending jobs until none is left. */
  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async drain(): Promise<void> {
    while (!this.closed) {
      let job: ProvisionerJob | undefined;
      try {
        job = await this.store.jobs.acquireProvisionerJob(this.workerId, ['echo'], 'all');
      } catch (err) {
        if (!this.closed) this.log.warn({ err }, 'acquiring a provisioner job failed');
        return;
      }
      if (!job) return;
      await this.run(job);
    }
  }

  private async run(job: ProvisionerJob): Promise<void> {
    let result: JobResult;
    try {
      result = await this.provision(job);
    } catch (err) {
      this.log.warn({ err, jobId: job.id }, 'echo provisioning failed');
      result = { error: (err as Error).message };
    }
    try {
      await completeJob(this.store, job.id, result);
      this.log.debug({ jobId: job.id, type: job.type, error: result.error }, 'provisioner job completed');
    } catch (err) {
      if (!this.closed) this.log.error({ err, jobId: job.id }, 'completing a provisioner job failed');
    }
    this.events.emit('completed', job.id);
  }

  private async provision(job: ProvisionerJob): Promise<JobResult> {
    const file = await this.store.files.getFileByID(job.file_id);
    if (!file) return { error: 'template file not found' };
    const spec = parseEchoSpec(file.data);
    if (job.type === 'template_version_import') return echoImport(spec);
    const build = await this.store.builds.getWorkspaceBuildByJobID(job.id);
    if (!build) return { error: 'workspace build not found' };
    const prev = await this.store.builds.getWorkspaceBuildProvisionerStateByID(build.id);
    return echoBuild(spec, build.transition, prev?.provisioner_state ?? null, randomUUID());
  }

  /** Tells waiters that a job completed elsewhere in this process (the REST complete API). */
  notifyCompleted(jobId: string): void {
    this.events.emit('completed', jobId);
  }

  /** Resolves when the job has completed (at once if it already has), as seen by this process. */
  async waitForJob(jobId: string, timeoutMs = 10_000): Promise<ProvisionerJob> {
    const done = new Promise<void>((resolve) => {
      const on = (id: string) => {
        if (id === jobId) {
          this.events.off('completed', on);
          resolve();
        }
      };
      this.events.on('completed', on);
      setTimeout(() => {
        this.events.off('completed', on);
        resolve();
      }, timeoutMs).unref();
    });
    const now = await this.store.jobs.getProvisionerJobByID(jobId);
    if (now?.completed_at) return now;
    this.kick();
    await done;
    const after = await this.store.jobs.getProvisionerJobByID(jobId);
    if (!after?.completed_at) throw new Error(`provisioner job ${jobId} did not complete within ${timeoutMs} ms`);
    return after;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => {});
  }
}
