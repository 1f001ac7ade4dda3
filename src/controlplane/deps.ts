import type { Config } from '../config/index.js';
import type { Database } from '../db/index.js';
import type { Logger } from '../log.js';
import type { Store, StoreOptions } from './dbauthz/store.js';
import type { Routes } from './httpapi/route.js';

/** What the resource routes of the control plane share. */
export interface ControlPlaneContext {
  config: Config;
  db: Database;
  log: Logger;
  route: Routes;
  storeOptions: StoreOptions;
  /** A store bound to the system-restricted subject (logins, bookkeeping). */
  system: Store;
  /** Drops cached token verdicts (after a key is deleted or a user suspended). */
  forgetTokens(): void;
  /** Wakes the built-in provisioner: a job was queued. */
  jobQueued(): void;
  /** Recomputes license entitlements (users or licenses changed). */
  entitlementsChanged(): void;
}
