import { ActorRole, isEventMetadata } from '@pti/events';
import { describe, expect, it } from 'vitest';
import { AuthorizationError } from './errors.js';
import {
  ALL_PERMISSIONS,
  assertCan,
  authorize,
  can,
  centreScopeOf,
  isPermission,
  isPrincipal,
  type Permission,
  type Principal,
  permissionsOf,
  systemPrincipal,
  TOKEN_ROLES_BY_PRECEDENCE,
  toActor,
} from './principal.js';

const TENANT_A = '11111111-1111-4111-8111-111111111111';
const TENANT_B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const CENTRE_1 = '22222222-2222-4222-8222-222222222201';
const CENTRE_2 = '22222222-2222-4222-8222-222222222202';

const CENTRE_ROLES = ['operateur', 'controleur', 'responsable_centre'] as const;

function principal(role: ActorRole, overrides: Partial<Principal> = {}): Principal {
  const centreIds = (CENTRE_ROLES as readonly string[]).includes(role) ? [CENTRE_1] : [];
  return {
    subject: `user-${role}`,
    role,
    tenantId: TENANT_A,
    centreIds,
    displayName: `Demo ${role}`,
    ...overrides,
  };
}

/** The expected matrix, written out role by role (the documentation table in principal.ts). */
const EXPECTED: Record<ActorRole, readonly Permission[]> = {
  motorist: ['booking.place_own', 'booking.manage_own'],
  client_pro: ['booking.place_own', 'booking.manage_own'],
  call_centre: ['booking.read', 'booking.place_on_behalf', 'booking.manage_on_behalf', 'customer.search'],
  operateur: [
    'booking.read',
    'booking.place_on_behalf',
    'booking.manage_on_behalf',
    'booking.check_in',
    'booking.record_no_show',
    'customer.search',
    'agenda.read',
  ],
  controleur: ['booking.read', 'booking.check_in', 'booking.record_result', 'agenda.read'],
  responsable_centre: [
    'booking.read',
    'booking.place_on_behalf',
    'booking.manage_on_behalf',
    'booking.check_in',
    'booking.record_result',
    'booking.record_no_show',
    'customer.search',
    'agenda.read',
    'calendar.block_period',
    'centre.configure',
    'reporting.read',
  ],
  admin_reseau: [
    'booking.read',
    'booking.place_on_behalf',
    'booking.manage_on_behalf',
    'customer.search',
    'agenda.read',
    'calendar.block_period',
    'centre.configure',
    'centre.administer',
    'users.manage',
    'audit.read',
    'reporting.read',
    'personal_data.erase',
  ],
  auditor: ['booking.read', 'audit.read'],
  analyst: ['reporting.read'],
  system: [
    'booking.read',
    'booking.place_on_behalf',
    'booking.manage_on_behalf',
    'booking.record_result',
    'booking.expire',
  ],
};

const ROLES = ActorRole.anyOf.map((literal) => literal.const);

describe('role list', () => {
  it('is the contract’s ActorRole list, with analyst, and every token role has a precedence', () => {
    expect(ROLES).toEqual([
      'motorist',
      'client_pro',
      'call_centre',
      'operateur',
      'controleur',
      'responsable_centre',
      'admin_reseau',
      'auditor',
      'analyst',
      'system',
    ]);
    expect([...TOKEN_ROLES_BY_PRECEDENCE].sort()).toEqual(ROLES.filter((r) => r !== 'system').sort());
  });
});

describe('permission matrix', () => {
  it.each(ROLES)('%s holds exactly its permissions', (role) => {
    expect(permissionsOf(role).sort()).toEqual([...EXPECTED[role]].sort());
    for (const permission of ALL_PERMISSIONS) {
      expect(can(principal(role), permission), `${role} ${permission}`).toBe(
        EXPECTED[role].includes(permission),
      );
    }
  });

  it('gives personal-data erasure and user management to admin_reseau only', () => {
    for (const permission of ['personal_data.erase', 'users.manage', 'centre.administer'] as const) {
      expect(ROLES.filter((role) => can(principal(role), permission))).toEqual(['admin_reseau']);
    }
  });

  it('keeps read-only roles read-only', () => {
    const writes = ALL_PERMISSIONS.filter((p) => !p.endsWith('.read'));
    for (const role of ['auditor', 'analyst'] as const) {
      expect(
        writes.filter((p) => can(principal(role), p)),
        role,
      ).toEqual([]);
    }
  });

  it('recognises permission names', () => {
    expect(isPermission('audit.read')).toBe(true);
    expect(isPermission('audit.write')).toBe(false);
    expect(isPermission('toString')).toBe(false);
  });
});

describe('tenant and centre scoping', () => {
  it('never lets a principal act on another tenant, whatever its role', () => {
    for (const role of ROLES) {
      const p = principal(role);
      for (const permission of permissionsOf(role)) {
        expect(authorize(p, permission, { tenantId: TENANT_B, centreId: CENTRE_1 })).toMatchObject({
          allowed: false,
          code: 'OUT_OF_SCOPE',
          violation: 'tenant',
        });
        expect(can(p, permission, { tenantId: TENANT_B })).toBe(false);
      }
    }
  });

  it('lets network roles act on every centre of their tenant and tenant-wide', () => {
    const admin = principal('admin_reseau');
    expect(centreScopeOf(admin)).toBe('all');
    expect(can(admin, 'centre.configure', { tenantId: TENANT_A, centreId: CENTRE_1 })).toBe(true);
    expect(can(admin, 'centre.configure', { tenantId: TENANT_A, centreId: CENTRE_2 })).toBe(true);
    expect(can(admin, 'users.manage', { tenantId: TENANT_A })).toBe(true);
    expect(
      can(principal('call_centre'), 'booking.place_on_behalf', { tenantId: TENANT_A, centreId: CENTRE_2 }),
    ).toBe(true);
  });

  it('keeps centre staff on their own centres', () => {
    const responsable = principal('responsable_centre');
    expect(centreScopeOf(responsable)).toEqual([CENTRE_1]);
    expect(can(responsable, 'calendar.block_period', { tenantId: TENANT_A, centreId: CENTRE_1 })).toBe(true);
    expect(
      authorize(responsable, 'calendar.block_period', { tenantId: TENANT_A, centreId: CENTRE_2 }),
    ).toMatchObject({ allowed: false, code: 'OUT_OF_SCOPE', violation: 'centre' });
    // A tenant-wide scope is beyond a centre-scoped principal.
    expect(authorize(responsable, 'reporting.read', { tenantId: TENANT_A })).toMatchObject({
      allowed: false,
      code: 'OUT_OF_SCOPE',
      violation: 'centre',
    });
    const twoCentres = principal('operateur', { centreIds: [CENTRE_1, CENTRE_2] });
    expect(can(twoCentres, 'booking.check_in', { tenantId: TENANT_A, centreId: CENTRE_2 })).toBe(true);
  });

  it('fails closed for centre staff attached to no centre', () => {
    const orphan = principal('controleur', { centreIds: [] });
    expect(centreScopeOf(orphan)).toEqual([]);
    expect(can(orphan, 'booking.record_result', { tenantId: TENANT_A, centreId: CENTRE_1 })).toBe(false);
    expect(can(orphan, 'booking.record_result', { tenantId: TENANT_A })).toBe(false);
  });

  it('restricts a network role given centres to those centres', () => {
    const regional = principal('call_centre', { centreIds: [CENTRE_2] });
    expect(can(regional, 'customer.search', { tenantId: TENANT_A, centreId: CENTRE_2 })).toBe(true);
    expect(can(regional, 'customer.search', { tenantId: TENANT_A, centreId: CENTRE_1 })).toBe(false);
  });

  it('checks the role before the scope, so a missing permission says FORBIDDEN whatever the resource', () => {
    expect(authorize(principal('analyst'), 'personal_data.erase', { tenantId: TENANT_B })).toMatchObject({
      allowed: false,
      code: 'FORBIDDEN',
      violation: null,
    });
  });
});

describe('assertCan', () => {
  it('throws AuthorizationError with a stable code', () => {
    expect(() => assertCan(principal('analyst'), 'booking.read')).toThrowError(AuthorizationError);
    try {
      assertCan(principal('controleur'), 'booking.check_in', { tenantId: TENANT_A, centreId: CENTRE_2 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AuthorizationError);
      expect(error).toMatchObject({ code: 'OUT_OF_SCOPE', violation: 'centre', status: 403 });
    }
    try {
      assertCan(principal('motorist'), 'audit.read');
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'FORBIDDEN', violation: null });
    }
    expect(() => assertCan(principal('auditor'), 'audit.read', { tenantId: TENANT_A })).not.toThrow();
  });
});

describe('principal and actor', () => {
  it('validates the principal shape', () => {
    expect(isPrincipal(principal('operateur'))).toBe(true);
    expect(isPrincipal({ ...principal('operateur'), role: 'hacker' })).toBe(false);
    expect(isPrincipal({ ...principal('operateur'), tenantId: '' })).toBe(false);
    expect(isPrincipal({ ...principal('operateur'), extra: 1 })).toBe(false);
  });

  it('becomes the actor of event metadata', () => {
    const p = principal('call_centre', { subject: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b' });
    const actor = toActor(p);
    expect(actor).toEqual({ id: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b', role: 'call_centre' });
    expect(
      isEventMetadata({
        tenantId: p.tenantId,
        actor,
        correlationId: 'c-1',
        causationId: null,
        occurredAt: '2025-03-10T08:00:00.000Z',
        schemaVersion: 1,
      }),
    ).toBe(true);
    expect(toActor(principal('analyst')).role).toBe('analyst');
  });

  it('has a system principal for sagas, bound to one tenant', () => {
    const system = systemPrincipal(TENANT_A);
    expect(toActor(system)).toEqual({ id: 'system', role: 'system' });
    expect(can(system, 'booking.expire', { tenantId: TENANT_A, centreId: CENTRE_1 })).toBe(true);
    expect(can(system, 'booking.expire', { tenantId: TENANT_B, centreId: CENTRE_1 })).toBe(false);
    expect(can(system, 'personal_data.erase')).toBe(false);
  });
});
