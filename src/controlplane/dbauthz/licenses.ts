import * as q from '../license/queries.js';
import { licenseObject } from '../rbac/index.js';
import type { Store } from './store.js';

export class LicensesAuthz {
  constructor(private readonly s: Store) {}

  async insertLicense(l: Parameters<typeof q.insertLicense>[1]): Promise<q.LicenseRow> {
    this.s.authorize('create', licenseObject());
    return q.insertLicense(this.s.q, l);
  }

  async getLicenses(): Promise<q.LicenseRow[]> {
    this.s.authorize('read', licenseObject());
    return q.getLicenses(this.s.q);
  }

  async getUnexpiredLicenses(): Promise<q.LicenseRow[]> {
    this.s.authorize('read', licenseObject());
    return q.getUnexpiredLicenses(this.s.q);
  }

  async deleteLicense(id: number): Promise<boolean> {
    this.s.authorize('delete', licenseObject());
    return q.deleteLicense(this.s.q, id);
  }
}
