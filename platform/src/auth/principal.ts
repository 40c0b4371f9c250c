import { type Actor, ActorRole } from '@pti/events';
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { AuthorizationError, type AuthorizationErrorCode, type ScopeViolation } from './errors.js';

/**
 * Who is calling, and what they may do.
 *
 * ## Roles
 *
 * One role list serves event metadata (`ActorRole` of `@pti/events`), the Keycloak realm
 * (`ops/deploy/keycloak/pti-realm.json`) and this module. The French names map to it so:
 *
 * | issue         | role                 | kind                            |
 * | ------------- | -------------------- | ------------------------------- |
 * | –             | `motorist`           | customer                        |
 * | client_pro    | `client_pro`         | customer                        |
 * | call_centre   | `call_centre`        | network (all centres of tenant) |
 * | operateur     | `operateur`          | centre staff                    |
 * | controleur    | `controleur`         | centre staff                    |
 * | responsable   | `responsable_centre` | centre staff                    |
 * | admin_reseau  | `admin_reseau`       | network                         |
 * | auditeur      | `auditor`            | network                         |
 * | analyste      | `analyst`            | network                         |
 * | –             | `system`             | sagas, timers (never in a token)|
 *
 * ## Scoping
 *
 * A principal belongs to exactly one tenant and never acts on another. `centreIds` narrows it
 * further: an empty list means every centre of the tenant, which only network roles, customers and
 * `system` may have; centre staff (`operateur`, `controleur`, `responsable_centre`) always carry at
 * least one centre, and one without any is out of scope everywhere (fail closed). A principal with
 * centres acts only where the scope names one of them: a tenant-wide scope (no `centreId`) is out
 * of its reach. Ownership (a motorist's own booking) is not a scope: the command handler checks it.
 */

/** Roles a token may carry: every actor role but `system`. */
export type TokenRole = Exclude<ActorRole, 'system'>;

/**
 * Token roles from most to least privileged. A token carrying several PTI roles (a Keycloak user
 * given two realm roles) acts as the first of its roles in this order; other realm roles
 * (`offline_access`, `default-roles-pti`, …) are ignored.
 */
export const TOKEN_ROLES_BY_PRECEDENCE: readonly TokenRole[] = [
  'admin_reseau',
  'responsable_centre',
  'controleur',
  'operateur',
  'call_centre',
  'auditor',
  'analyst',
  'client_pro',
  'motorist',
];

/** Roles bound to one or more centres; with no centre they may act nowhere. */
export const CENTRE_ROLES: readonly ActorRole[] = ['operateur', 'controleur', 'responsable_centre'];

export function isTokenRole(value: unknown): value is TokenRole {
  return typeof value === 'string' && (TOKEN_ROLES_BY_PRECEDENCE as readonly string[]).includes(value);
}

export function isCentreRole(role: ActorRole): boolean {
  return CENTRE_ROLES.includes(role);
}

/** Tenant and centre identifiers follow the event metadata bound (`tenantId` ≤ 64 characters). */
const ScopeId = Type.String({ minLength: 1, maxLength: 64 });

export const Principal = Type.Object(
  {
    /** Stable id of the caller (the token's `sub`); lands in event metadata as `actor.id`. */
    subject: Type.String({ minLength: 1, maxLength: 200 }),
    role: ActorRole,
    tenantId: ScopeId,
    /** Centres the principal may act on; empty = every centre of the tenant (never for centre staff). */
    centreIds: Type.Array(ScopeId, { maxItems: 5000 }),
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })),
  },
  { additionalProperties: false },
);
export type Principal = Static<typeof Principal>;

const checkPrincipal = TypeCompiler.Compile(Principal);

/** True when `value` has the Principal shape (claims mapped from a token are checked with it). */
export function isPrincipal(value: unknown): value is Principal {
  return checkPrincipal.Check(value);
}

/** The actor written into event metadata for what this principal causes. */
export function toActor(principal: Principal): Actor {
  return { id: principal.subject, role: principal.role };
}

/** The principal sagas and timers act as, inside one tenant. */
export function systemPrincipal(tenantId: string, subject = 'system'): Principal {
  return { subject, role: 'system', tenantId, centreIds: [], displayName: 'Système' };
}

/**
 * The permission matrix. `roles` lists every role holding the permission; no role holds anything
 * not listed here. Whether the action then applies to a given resource is the scope's business
 * (see {@link authorize}).
 *
 * | permission                 | motorist | client_pro | call_centre | operateur | controleur | responsable_centre | admin_reseau | auditor | analyst | system |
 * | -------------------------- | :------: | :--------: | :---------: | :-------: | :--------: | :----------------: | :----------: | :-----: | :-----: | :----: |
 * | booking.place_own          |    ✓     |     ✓      |             |           |            |                    |              |         |         |        |
 * | booking.manage_own         |    ✓     |     ✓      |             |           |            |                    |              |         |         |        |
 * | booking.read               |          |            |      ✓      |     ✓     |     ✓      |         ✓          |      ✓       |    ✓    |         |   ✓    |
 * | booking.place_on_behalf    |          |            |      ✓      |     ✓     |            |         ✓          |      ✓       |         |         |   ✓    |
 * | booking.manage_on_behalf   |          |            |      ✓      |     ✓     |            |         ✓          |      ✓       |         |         |   ✓    |
 * | booking.check_in           |          |            |             |     ✓     |     ✓      |         ✓          |              |         |         |        |
 * | booking.record_result      |          |            |             |           |     ✓      |         ✓          |              |         |         |   ✓    |
 * | booking.record_no_show     |          |            |             |     ✓     |            |         ✓          |              |         |         |        |
 * | booking.expire             |          |            |             |           |            |                    |              |         |         |   ✓    |
 * | customer.search            |          |            |      ✓      |     ✓     |            |         ✓          |      ✓       |         |         |        |
 * | agenda.read                |          |            |             |     ✓     |     ✓      |         ✓          |      ✓       |         |         |        |
 * | calendar.block_period      |          |            |             |           |            |         ✓          |      ✓       |         |         |        |
 * | centre.configure           |          |            |             |           |            |         ✓          |      ✓       |         |         |        |
 * | centre.administer          |          |            |             |           |            |                    |      ✓       |         |         |        |
 * | users.manage               |          |            |             |           |            |                    |      ✓       |         |         |        |
 * | audit.read                 |          |            |             |           |            |                    |      ✓       |    ✓    |         |        |
 * | reporting.read             |          |            |             |           |            |         ✓          |      ✓       |         |    ✓    |        |
 * | personal_data.erase        |          |            |             |           |            |                    |      ✓       |         |         |        |
 */
export const PERMISSIONS = {
  'booking.place_own': {
    roles: ['motorist', 'client_pro'],
    meaning: 'Book for oneself (a motorist) or for one’s own company’s vehicles (a fleet manager).',
  },
  'booking.manage_own': {
    roles: ['motorist', 'client_pro'],
    meaning: 'Confirm, cancel or reschedule one’s own bookings (the handler checks ownership).',
  },
  'booking.read': {
    roles: [
      'call_centre',
      'operateur',
      'controleur',
      'responsable_centre',
      'admin_reseau',
      'auditor',
      'system',
    ],
    meaning: 'Read any booking of the scope, personal data included.',
  },
  'booking.place_on_behalf': {
    roles: ['call_centre', 'operateur', 'responsable_centre', 'admin_reseau', 'system'],
    meaning: 'Place a booking for a customer (phone, counter); `system` for waitlist offers.',
  },
  'booking.manage_on_behalf': {
    roles: ['call_centre', 'operateur', 'responsable_centre', 'admin_reseau', 'system'],
    meaning:
      'Confirm (on-site payment), cancel at any time with a reason, or reschedule a customer’s booking.',
  },
  'booking.check_in': {
    roles: ['operateur', 'controleur', 'responsable_centre'],
    meaning: 'Record the vehicle’s arrival at the centre.',
  },
  'booking.record_result': {
    roles: ['controleur', 'responsable_centre', 'system'],
    meaning: 'Record the inspection result A/S/R (`system`: results flowing back from AdelSoft).',
  },
  'booking.record_no_show': {
    roles: ['operateur', 'responsable_centre'],
    meaning: 'Record that the customer did not come.',
  },
  'booking.expire': {
    roles: ['system'],
    meaning: 'Expire a booking whose hold ran out (the hold timer).',
  },
  'customer.search': {
    roles: ['call_centre', 'operateur', 'responsable_centre', 'admin_reseau'],
    meaning: 'Find a customer by phone, plate, name, email or booking reference.',
  },
  'agenda.read': {
    roles: ['operateur', 'controleur', 'responsable_centre', 'admin_reseau'],
    meaning: 'Read the day plan per lane and inspector.',
  },
  'calendar.block_period': {
    roles: ['responsable_centre', 'admin_reseau'],
    meaning: 'Block or unblock a period (whole centre or one inspector); reassign inspectors.',
  },
  'centre.configure': {
    roles: ['responsable_centre', 'admin_reseau'],
    meaning: 'Opening hours, closures, prices, inspectors, schedules, absences, capacity of a centre.',
  },
  'centre.administer': {
    roles: ['admin_reseau'],
    meaning: 'Register, deactivate or reactivate centres; set booking policies.',
  },
  'users.manage': {
    roles: ['admin_reseau'],
    meaning: 'Create users, grant roles, attach them to centres.',
  },
  'audit.read': {
    roles: ['admin_reseau', 'auditor'],
    meaning: 'Read the full immutable history and the state at a past instant.',
  },
  'reporting.read': {
    roles: ['responsable_centre', 'admin_reseau', 'analyst'],
    meaning: 'Read reporting tables (fill rate, no-shows, revenue, lead time, channels) and export them.',
  },
  'personal_data.erase': {
    roles: ['admin_reseau'],
    meaning: 'Erase a customer’s personal data (crypto-shredding); irreversible.',
  },
} as const satisfies Record<string, { roles: readonly ActorRole[]; meaning: string }>;

export type Permission = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && Object.hasOwn(PERMISSIONS, value);
}

/** Every permission the role holds, in matrix order. */
export function permissionsOf(role: ActorRole): Permission[] {
  return ALL_PERMISSIONS.filter((permission) => roleHolds(role, permission));
}

function roleHolds(role: ActorRole, permission: Permission): boolean {
  return (PERMISSIONS[permission].roles as readonly ActorRole[]).includes(role);
}

/** Where an action applies: a tenant, and the centre it happens at when it has one. */
export interface AuthScope {
  readonly tenantId: string;
  readonly centreId?: string;
}

export type AuthDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly code: AuthorizationErrorCode;
      readonly violation: ScopeViolation | null;
      readonly reason: string;
    };

/**
 * Decides whether `principal` may exercise `permission` within `scope`. The role is checked first
 * (so a role lacking the permission gets `FORBIDDEN` whatever the resource, which reveals nothing
 * about it), then the tenant, then the centre. Without a scope only the role is checked: handlers
 * acting on a resource always pass its scope.
 */
export function authorize(principal: Principal, permission: Permission, scope?: AuthScope): AuthDecision {
  if (!roleHolds(principal.role, permission)) {
    return {
      allowed: false,
      code: 'FORBIDDEN',
      violation: null,
      reason: `role ${principal.role} may not ${permission}`,
    };
  }
  if (scope === undefined) return { allowed: true };
  if (scope.tenantId !== principal.tenantId) {
    return {
      allowed: false,
      code: 'OUT_OF_SCOPE',
      violation: 'tenant',
      reason: 'resource of another tenant',
    };
  }
  const centres = centreScopeOf(principal);
  if (centres === 'all') return { allowed: true };
  if (scope.centreId === undefined) {
    return {
      allowed: false,
      code: 'OUT_OF_SCOPE',
      violation: 'centre',
      reason: 'a centre-scoped principal may not act tenant-wide',
    };
  }
  if (!centres.includes(scope.centreId)) {
    return {
      allowed: false,
      code: 'OUT_OF_SCOPE',
      violation: 'centre',
      reason: 'centre outside the principal’s',
    };
  }
  return { allowed: true };
}

/** {@link authorize} as a boolean. */
export function can(principal: Principal, permission: Permission, scope?: AuthScope): boolean {
  return authorize(principal, permission, scope).allowed;
}

/** {@link authorize}, throwing {@link AuthorizationError} (`FORBIDDEN` or `OUT_OF_SCOPE`) on refusal. */
export function assertCan(principal: Principal, permission: Permission, scope?: AuthScope): void {
  const decision = authorize(principal, permission, scope);
  if (!decision.allowed) throw new AuthorizationError(decision.code, decision.reason, decision.violation);
}

/**
 * The centres a principal's queries may cover within its tenant: `'all'`, or an explicit list
 * (empty for centre staff attached to no centre: they see nothing). Read models filter with it.
 */
export function centreScopeOf(principal: Principal): 'all' | readonly string[] {
  if (principal.centreIds.length > 0) return principal.centreIds;
  return isCentreRole(principal.role) ? [] : 'all';
}
