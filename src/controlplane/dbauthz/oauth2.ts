import type { Store } from './store.js';

export class OAuth2Authz {
  constructor(private readonly s: Store) {}
}
