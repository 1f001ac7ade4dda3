import { describe, expect, it } from 'vitest';
import {
  authorize,
  canAssignRole,
  orgMemberPermissions,
  SystemSubjects,
  templateObject,
  userSubject,
  workspaceObject,
  type RbacObject,
  type Subject,
} from '../../../src/controlplane/rbac/index.js';

const ME = '11111111-1111-1111-1111-111111111111';
const OTHER = '22222222-2222-2222-2222-222222222222';
const ORG_A = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';
const ORG_B = 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb';
const GROUP = 'cccccccc-cccc-cccc-cccc-cccccccccccc';

/** A subject who is a member of org A, with site roles and org-A roles. */
function subject(siteRoles: string[], orgRoles: string[] = [], opts: { sharingDisabled?: boolean; scopes?: string[]; noWorkspaceSharing?: boolean; groups?: string[] } = {}): Subject {
  return userSubject(
    {
      id: ME,
      username: 'me',
      siteRoles,
      memberships: [{ orgId: ORG_A, roles: orgRoles, memberRole: orgMemberPermissions(!!opts.sharingDisabled) }],
      groups: opts.groups ?? [],
      scopes: opts.scopes ?? ['all'],
    },
    { noWorkspaceSharing: opts.noWorkspaceSharing },
  );
}

const objects: Record<string, RbacObject> = {
  wsOwn: workspaceObject({ id: 'w1', owner_id: ME, organization_id: ORG_A }),
  wsOther: workspaceObject({ id: 'w2', owner_id: OTHER, organization_id: ORG_A }),
  tplA: templateObject({ id: 't1', organization_id: ORG_A, group_acl: { [ORG_A]: ['read', 'use'] } }),
  tplNewA: { type: 'template', orgId: ORG_A },
  tplB: templateObject({ id: 't2', organization_id: ORG_B, group_acl: { [ORG_B]: ['read', 'use'] } }),
  userSelf: { type: 'user', id: ME, owner: ME },
  userOther: { type: 'user', id: OTHER, owner: OTHER },
  userNew: { type: 'user' },
  orgA: { type: 'organization', id: ORG_A, orgId: ORG_A },
  orgB: { type: 'organization', id: ORG_B, orgId: ORG_B },
  fileOwn: { type: 'file', id: 'f1', owner: ME },
  fileOther: { type: 'file', id: 'f2', owner: OTHER },
  keyOwn: { type: 'api_key', id: 'k1', owner: ME },
  keyOther: { type: 'api_key', id: 'k2', owner: OTHER },
  license: { type: 'license' },
  system: { type: 'system' },
  boundary: { type: 'boundary_usage' },
  jobsA: { type: 'provisioner_jobs', orgId: ORG_A },
};

/** The (object, action) pairs of the matrix. */
const checks: [keyof typeof objects, string][] = [
  ['wsOwn', 'read'],
  ['wsOwn', 'update'],
  ['wsOwn', 'start'],
  ['wsOwn', 'stop'],
  ['wsOwn', 'delete'],
  ['wsOwn', 'share'],
  ['wsOwn', 'ssh'],
  ['wsOther', 'read'],
  ['wsOther', 'update'],
  ['wsOther', 'start'],
  ['wsOther', 'delete'],
  ['wsOther', 'ssh'],
  ['tplA', 'read'],
  ['tplA', 'use'],
  ['tplA', 'update'],
  ['tplA', 'delete'],
  ['tplNewA', 'create'],
  ['tplB', 'read'],
  ['tplB', 'update'],
  ['userSelf', 'read'],
  ['userSelf', 'read_personal'],
  ['userSelf', 'update'],
  ['userOther', 'read'],
  ['userOther', 'update'],
  ['userNew', 'create'],
  ['orgA', 'read'],
  ['orgA', 'update'],
  ['orgB', 'read'],
  ['fileOwn', 'create'],
  ['fileOwn', 'read'],
  ['fileOther', 'read'],
  ['keyOwn', 'create'],
  ['keyOwn', 'delete'],
  ['keyOther', 'read'],
  ['license', 'read'],
  ['license', 'create'],
  ['system', 'read'],
  ['boundary', 'read'],
  ['boundary', 'update'],
  ['jobsA', 'update'],
];

/** Every member holds these (own workspaces, own keys and files, own user, org A, Everyone's template ACL). */
const memberBase = [
  'wsOwn.read',
  'wsOwn.update',
  'wsOwn.start',
  'wsOwn.stop',
  'wsOwn.delete',
  'wsOwn.share',
  'wsOwn.ssh',
  'tplA.read',
  'tplA.use',
  'userSelf.read',
  'userSelf.read_personal',
  'orgA.read',
  'fileOwn.create',
  'fileOwn.read',
  'keyOwn.create',
  'keyOwn.delete',
];

/** role → the (object.action) pairs it allows, beyond nothing. */
const matrix: Record<string, { site: string[]; org: string[]; allowed: string[] }> = {
  member: { site: [], org: [], allowed: memberBase },
  owner: {
    site: ['owner'],
    org: [],
    allowed: checks.map(([o, a]) => `${o}.${a}`).filter((c) => !c.startsWith('boundary.')),
  },
  auditor: { site: ['auditor'], org: [], allowed: [...memberBase, 'tplB.read', 'userOther.read', 'orgB.read'] },
  'template-admin': {
    site: ['template-admin'],
    org: [],
    allowed: [...memberBase, 'wsOther.read', 'tplA.update', 'tplA.delete', 'tplNewA.create', 'tplB.read', 'tplB.update', 'userOther.read', 'orgB.read', 'fileOther.read', 'jobsA.update'],
  },
  'user-admin': { site: ['user-admin'], org: [], allowed: [...memberBase, 'userSelf.update', 'userOther.read', 'userOther.update', 'userNew.create', 'orgB.read'] },
  'organization-admin': {
    site: [],
    org: ['organization-admin'],
    allowed: [...memberBase, 'wsOther.read', 'wsOther.update', 'wsOther.start', 'wsOther.delete', 'tplA.update', 'tplA.delete', 'tplNewA.create', 'userOther.read', 'orgA.update', 'jobsA.update'],
  },
  'organization-template-admin': {
    site: [],
    org: ['organization-template-admin'],
    allowed: [...memberBase, 'wsOther.read', 'tplA.update', 'tplA.delete', 'tplNewA.create', 'jobsA.update'],
  },
  'organization-user-admin': { site: [], org: ['organization-user-admin'], allowed: [...memberBase, 'userOther.read'] },
  'organization-auditor': { site: [], org: ['organization-auditor'], allowed: memberBase },
};

describe('RBAC matrix: roles × resources × actions', () => {
  const rows = Object.entries(matrix).flatMap(([role, m]) =>
    checks.map(([obj, action]) => ({ role, obj, action, want: m.allowed.includes(`${obj}.${action}`), m })),
  );
  it.each(rows)('$role: $action on $obj is $want', ({ obj, action, want, m }) => {
    expect(authorize(subject(m.site, m.org), action, objects[obj])).toBe(want);
  });
});

describe('authorize', () => {
  it('grants owner-level permissions only inside organizations the subject belongs to', () => {
    const inB = workspaceObject({ id: 'w', owner_id: ME, organization_id: ORG_B });
    expect(authorize(subject([]), 'read', inB)).toBe(false);
  });

  it('lets a user ACL entry grant exactly its actions on someone else’s workspace', () => {
    const w = workspaceObject({ id: 'w', owner_id: OTHER, organization_id: ORG_A, user_acl: { [ME]: { permissions: ['read', 'start'] } } });
    expect(authorize(subject([]), 'read', w)).toBe(true);
    expect(authorize(subject([]), 'start', w)).toBe(true);
    expect(authorize(subject([]), 'update', w)).toBe(false);
  });

  it('applies group ACLs only to members of the object’s organization', () => {
    const w = workspaceObject({ id: 'w', owner_id: OTHER, organization_id: ORG_A, group_acl: { [GROUP]: { permissions: ['read'] } } });
    expect(authorize(subject([], [], { groups: [GROUP] }), 'read', w)).toBe(true);
    expect(authorize(subject([], []), 'read', w)).toBe(false);
    const inB = workspaceObject({ id: 'w', owner_id: OTHER, organization_id: ORG_B, group_acl: { [GROUP]: { permissions: ['read'] } } });
    expect(authorize(subject([], [], { groups: [GROUP] }), 'read', inB)).toBe(false);
  });

  it('ignores workspace ACLs when sharing is disabled deployment-wide', () => {
    const w = workspaceObject({ id: 'w', owner_id: OTHER, organization_id: ORG_A, user_acl: { [ME]: { permissions: ['read'] } } }, { sharingDisabled: true });
    expect(authorize(subject([]), 'read', w)).toBe(false);
  });

  it('negates workspace:share for members deployment-wide with --disable-workspace-sharing, but not reads', () => {
    const s = subject([], [], { noWorkspaceSharing: true });
    expect(authorize(s, 'share', objects.wsOwn)).toBe(false);
    expect(authorize(s, 'read', objects.wsOwn)).toBe(true);
  });

  it('blocks sharing in an organization with sharing disabled for members and org admins, not site owners', () => {
    expect(authorize(subject([], [], { sharingDisabled: true }), 'share', objects.wsOwn)).toBe(false);
    expect(authorize(subject([], [], { sharingDisabled: true }), 'start', objects.wsOwn)).toBe(true);
    expect(authorize(subject([], ['organization-admin'], { sharingDisabled: true }), 'share', objects.wsOther)).toBe(false);
    expect(authorize(subject(['owner'], [], { sharingDisabled: true }), 'share', objects.wsOther)).toBe(true);
  });

  it('limits an API key to its scopes whatever the roles allow', () => {
    const s = subject(['owner'], [], { scopes: ['workspace:read'] });
    expect(authorize(s, 'read', objects.wsOwn)).toBe(true);
    expect(authorize(s, 'start', objects.wsOwn)).toBe(false);
    expect(authorize(s, 'read', objects.tplA)).toBe(false);
    expect(authorize(subject([], [], { scopes: ['workspace:*'] }), 'start', objects.wsOwn)).toBe(true);
  });

  it('gives no built-in role access to boundary usage; only the tracker subject has it', () => {
    for (const roles of [['owner'], ['template-admin'], ['user-admin'], ['auditor'], []]) {
      for (const action of ['read', 'update', 'delete']) expect(authorize(subject(roles, ['organization-admin']), action, objects.boundary)).toBe(false);
    }
    for (const action of ['read', 'update', 'delete']) expect(authorize(SystemSubjects.boundaryUsageTracker, action, objects.boundary)).toBe(true);
    expect(authorize(SystemSubjects.boundaryUsageTracker, 'read', objects.tplA)).toBe(false);
  });

  it('gives the workspace builder template read and update and nothing else', () => {
    const b = SystemSubjects.workspaceBuilder;
    expect(authorize(b, 'read', objects.tplB)).toBe(true);
    expect(authorize(b, 'update', objects.tplB)).toBe(true);
    for (const [obj, action] of checks) {
      if (obj.startsWith('tpl') && (action === 'read' || action === 'update')) continue;
      expect(authorize(b, action, objects[obj]), `${obj}.${action}`).toBe(false);
    }
  });

  it('keeps template update out of the system-restricted subject but gives it to provisionerd', () => {
    expect(authorize(SystemSubjects.systemRestricted, 'read', objects.tplA)).toBe(true);
    expect(authorize(SystemSubjects.systemRestricted, 'update', objects.tplA)).toBe(false);
    expect(authorize(SystemSubjects.provisionerd, 'update', objects.tplA)).toBe(true);
    expect(authorize(SystemSubjects.provisionerd, 'read', objects.boundary)).toBe(false);
  });
});

describe('canAssignRole', () => {
  it.each([
    [[{ name: 'owner' }], 'owner', undefined, true],
    [[{ name: 'owner' }], 'organization-admin', ORG_A, true],
    [[{ name: 'user-admin' }], 'member', undefined, true],
    [[{ name: 'user-admin' }], 'owner', undefined, false],
    [[{ name: 'user-admin' }], 'template-admin', undefined, false],
    [[{ name: 'organization-admin', orgId: ORG_A }], 'organization-template-admin', ORG_A, true],
    [[{ name: 'organization-admin', orgId: ORG_A }], 'organization-template-admin', ORG_B, false],
    [[{ name: 'organization-admin', orgId: ORG_A }], 'owner', undefined, false],
    [[{ name: 'member' }], 'member', undefined, false],
  ] as const)('%j may assign %s in %s: %s', (held, role, org, want) => {
    expect(canAssignRole([...held], role, org)).toBe(want);
  });
});
