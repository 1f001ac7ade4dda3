import * as q from '../files/queries.js';
import type { FileRow } from '../files/types.js';
import { fileObject, templateObject } from '../rbac/index.js';
import type { Store } from './store.js';

export class FilesAuthz {
  constructor(private readonly s: Store) {}

  /**
   * A file is readable by its uploader (and file readers), or by anyone who may read a template
   * imported from it (GetFileTemplates).
   */
  async getFileByID(id: string): Promise<FileRow | undefined> {
    const f = await q.getFileByID(this.s.q, id);
    if (!f) return undefined;
    if (this.s.can('read', fileObject(f.id, f.created_by))) return f;
    const templates = await q.getFileTemplates(this.s.q, f.id);
    if (templates.some((t) => this.s.can('read', templateObject({ id: t.template_id, ...t })))) return f;
    this.s.authorize('read', fileObject(f.id, f.created_by));
    return undefined;
  }

  async getFileByHashAndCreator(hash: string, createdBy: string) {
    return this.s.check(await q.getFileByHashAndCreator(this.s.q, hash, createdBy), 'read', (f) => fileObject(f.id, f.created_by));
  }

  async insertFile(f: Parameters<typeof q.insertFile>[1]) {
    this.s.authorize('create', fileObject('', f.createdBy));
    return q.insertFile(this.s.q, f);
  }
}
