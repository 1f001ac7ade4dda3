import { scopeAllows } from '../../db/index.js';
import type { Permission, RbacObject, Subject } from './types.js';

export { scopeAllows };

/** -1 denied, 0 no opinion, 1 allowed: a level's verdict over its matching permissions. */
export type Verdict = -1 | 0 | 1;

function matches(p: Permission, type: string, action: string): boolean {
  return (p.action === action || p.action === '*') && (p.resource_type === type || p.resource_type === '*');
}

/** A negation wins over any grant at the same level (Coder's policy.rego `number(set)`). */
export function levelVerdict(perms: Permission[], type: string, action: string): Verdict {
  let v: Verdict = 0;
  for (const p of perms) {
    if (!matches(p, type, action)) continue;
    if (p.negate) return -1;
    v = 1;
  }
  return v;
}

function aclAllows(list: Record<string, string[]> | undefined, id: string, action: string): boolean {
  const actions = list?.[id];
  return !!actions && (actions.includes(action) || actions.includes('*'));
}

/**
 * Decides whether `subject` may do `action` on `object`. Levels cascade as in coder/coder's
 * policy.rego: a site grant allows; a site denial stops everything below it. Then the object's
 * organization (only for members of it): a grant allows, a denial stops. Then ownership: the
 * owner's user-level and org-member-level permissions. Last, the object's user and group ACLs
 * (groups only within the object's organization; the group whose id is the organization's id
 * is "Everyone").
 */
export function authorize(subject: Subject, action: string, object: RbacObject): boolean {
  if (!scopeAllows(subject.scopes, object.type, action)) return false;
  const site = levelVerdict(
    subject.roles.flatMap((r) => r.site),
    object.type,
    action,
  );
  if (site === 1) return true;
  if (site === -1) return false;

  const orgMember = object.orgId ? subject.orgIds.includes(object.orgId) : false;
  const orgOk = !object.orgId || orgMember;
  let org: Verdict = 0;
  if (object.orgId && orgMember) {
    org = levelVerdict(
      subject.roles.flatMap((r) => r.byOrg[object.orgId!]?.org ?? []),
      object.type,
      action,
    );
    if (org === 1) return true;
    if (org === -1) return false;
  }

  if (orgOk && object.owner && object.owner === subject.id) {
    const owned = subject.roles.flatMap((r) => [...r.user, ...(object.orgId ? (r.byOrg[object.orgId]?.member ?? []) : [])]);
    const user = levelVerdict(owned, object.type, action);
    if (user === 1) return true;
    if (user === -1) return false;
  }

  if (aclAllows(object.aclUsers, subject.id, action)) return true;
  if (orgMember) {
    for (const g of subject.groups) if (aclAllows(object.aclGroups, g, action)) return true;
    if (aclAllows(object.aclGroups, object.orgId!, action)) return true;
  }
  return false;
}
