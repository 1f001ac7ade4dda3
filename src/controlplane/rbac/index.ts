export type { Permission, OrgPermissions, Role, Subject, RbacObject } from './types.js';
export * from './resources.js';
export * from './roles.js';
export * from './acl.js';
export { authorize, levelVerdict, scopeAllows, type Verdict } from './authorize.js';
export { userSubject, SystemSubjects, type Membership, type SystemSubjectName } from './subjects.js';
