import * as q from '../oauth2/queries.js';
import { oauth2AppObject } from '../rbac/index.js';
import type { Store } from './store.js';

const secretObject = (appId: string) => ({ type: 'oauth2_app_secret', id: appId });
const codeTokenObject = (userId: string) => ({ type: 'oauth2_app_code_token', owner: userId });

export class OAuth2Authz {
  constructor(private readonly s: Store) {}

  async insertOAuth2ProviderApp(a: Parameters<typeof q.insertOAuth2ProviderApp>[1]): Promise<q.OAuth2App> {
    this.s.authorize('create', oauth2AppObject());
    return q.insertOAuth2ProviderApp(this.s.q, a);
  }

  async getOAuth2ProviderAppByID(id: string): Promise<q.OAuth2App | undefined> {
    return this.s.check(await q.getOAuth2ProviderAppByID(this.s.q, id), 'read', (a) => oauth2AppObject(a.id));
  }

  async getOAuth2ProviderApps(): Promise<q.OAuth2App[]> {
    return this.s.filter(await q.getOAuth2ProviderApps(this.s.q), 'read', (a) => oauth2AppObject(a.id));
  }

  async deleteOAuth2ProviderAppByID(id: string): Promise<void> {
    this.s.authorize('delete', oauth2AppObject(id));
    await q.deleteOAuth2ProviderAppByID(this.s.q, id);
  }

  async insertOAuth2ProviderAppSecret(sec: Parameters<typeof q.insertOAuth2ProviderAppSecret>[1]): Promise<{ id: string }> {
    this.s.authorize('create', secretObject(sec.appId));
    return q.insertOAuth2ProviderAppSecret(this.s.q, sec);
  }

  async getOAuth2ProviderAppSecretsByAppID(appId: string) {
    this.s.authorize('read', secretObject(appId));
    return q.getOAuth2ProviderAppSecretsByAppID(this.s.q, appId);
  }

  async getOAuth2ProviderAppSecretByPrefix(prefix: string) {
    return this.s.check(await q.getOAuth2ProviderAppSecretByPrefix(this.s.q, prefix), 'read', (r) => secretObject(r.app_id));
  }

  /** A user authorizes an app: the code is theirs. */
  async insertOAuth2ProviderAppCode(c: Parameters<typeof q.insertOAuth2ProviderAppCode>[1]): Promise<void> {
    this.s.authorize('create', codeTokenObject(c.userId));
    await q.insertOAuth2ProviderAppCode(this.s.q, c);
  }

  async takeOAuth2ProviderAppCodeByPrefix(prefix: string) {
    const code = await q.deleteOAuth2ProviderAppCodeByPrefix(this.s.q, prefix);
    if (code) this.s.authorize('delete', codeTokenObject(code.user_id));
    return code;
  }

  async insertOAuth2ProviderAppToken(t: Parameters<typeof q.insertOAuth2ProviderAppToken>[1]): Promise<void> {
    this.s.authorize('create', codeTokenObject(t.userId));
    await q.insertOAuth2ProviderAppToken(this.s.q, t);
  }

  async takeOAuth2ProviderAppTokenByPrefix(prefix: string) {
    const t = await q.deleteOAuth2ProviderAppTokenByPrefix(this.s.q, prefix);
    if (t) this.s.authorize('delete', codeTokenObject(t.user_id));
    return t;
  }
}
