import { agendaProjector } from './agenda/agenda-projector.js';
import { auditProjector } from './audit/audit-projector.js';
import { availabilityProjector } from './availability/availability-projector.js';
import { bookingsProjector } from './bookings/bookings-projector.js';
import { centresProjector } from './centres/centres-projector.js';
import { customersProjector } from './customers/customers-projector.js';
import { reportingProjector } from './reporting/reporting-projector.js';
import type { Projector } from './runtime/projector.js';

/**
 * Every read model the runner runs by default, in start order. Add a projector here (one line)
 * once its spec passes; `pti rebuild <name>` and `pti projections status` list these.
 */
export const PROJECTORS: readonly Projector[] = [
  centresProjector,
  availabilityProjector,
  auditProjector,
  bookingsProjector,
  agendaProjector,
  customersProjector,
  reportingProjector,
];

export function projectorNamed(name: string, projectors: readonly Projector[] = PROJECTORS): Projector {
  const projector = projectors.find((p) => p.name === name);
  if (projector === undefined) {
    throw new Error(
      `unknown read model ${JSON.stringify(name)} (known: ${projectors.map((p) => p.name).join(', ')})`,
    );
  }
  return projector;
}
