import type { Role } from '../api/types.js';

/**
 * What each role sees. It mirrors the server's permission table (platform/src/auth/principal.ts);
 * the server still refuses what a role may not do, this only keeps the navigation honest.
 */

export type Section = 'agenda' | 'admin' | 'callcentre' | 'audit' | 'reporting' | 'ops';

export const SECTION_ROLES: Record<Section, readonly Role[]> = {
  agenda: ['operateur', 'controleur', 'responsable_centre', 'admin_reseau'],
  admin: ['responsable_centre', 'admin_reseau'],
  callcentre: ['call_centre', 'operateur', 'responsable_centre', 'admin_reseau'],
  audit: ['admin_reseau', 'auditor'],
  reporting: ['responsable_centre', 'admin_reseau', 'analyst'],
  ops: ['admin_reseau'],
};

export const SECTION_LABELS: Record<Section, string> = {
  agenda: 'Journée du centre',
  admin: 'Administration du centre',
  callcentre: 'Centre d’appels',
  audit: 'Audit',
  reporting: 'Statistiques',
  ops: 'Exploitation',
};

export const SECTION_PATHS = {
  agenda: '/agenda',
  admin: '/administration',
  callcentre: '/centre-appels',
  audit: '/audit',
  reporting: '/statistiques',
  ops: '/exploitation',
} as const satisfies Record<Section, string>;

export const SECTIONS: readonly Section[] = ['agenda', 'callcentre', 'admin', 'audit', 'reporting', 'ops'];

export function sectionsFor(role: Role): Section[] {
  return SECTIONS.filter((section) => SECTION_ROLES[section].includes(role));
}

export function canSee(role: Role, section: Section): boolean {
  return SECTION_ROLES[section].includes(role);
}

/** Fine-grained actions inside the agenda. */
export const ACTION_ROLES = {
  checkIn: ['operateur', 'controleur', 'responsable_centre'],
  recordResult: ['controleur', 'responsable_centre'],
  noShow: ['operateur', 'responsable_centre'],
  move: ['call_centre', 'operateur', 'responsable_centre', 'admin_reseau'],
  block: ['responsable_centre', 'admin_reseau'],
  setPolicy: ['admin_reseau'],
} as const satisfies Record<string, readonly Role[]>;

export function may(role: Role, action: keyof typeof ACTION_ROLES): boolean {
  return (ACTION_ROLES[action] as readonly Role[]).includes(role);
}

export const ROLE_LABELS: Record<Role, string> = {
  motorist: 'Automobiliste',
  client_pro: 'Client professionnel',
  call_centre: 'Conseiller centre d’appels',
  operateur: 'Opérateur',
  controleur: 'Contrôleur',
  responsable_centre: 'Responsable de centre',
  admin_reseau: 'Administrateur réseau',
  auditor: 'Auditeur',
  analyst: 'Analyste',
  system: 'Système',
};

/** Staff roles that may use the back office at all. */
export function isStaff(role: Role): boolean {
  return sectionsFor(role).length > 0;
}
