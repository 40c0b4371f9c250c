import {
  CONTROL_TYPES,
  type ControlType,
  FUELS,
  type Fuel,
  VEHICLE_CATEGORIES,
  type VehicleCategory,
} from '@pti/events';
import {
  type AvailabilityProfile,
  DEFAULT_DURATION_MATRIX,
  type DurationMatrix,
  durationRuleOf,
  requiredAccreditations,
} from '@pti/write-side/domain';

/**
 * Vehicle profile classes: the key space of the availability read model.
 *
 * Availability of a start depends on the vehicle only through (a) the control's duration and (b)
 * the accreditations an inspector needs (`requiredAccreditations`: VL or L, plus GAZ for LPG/CNG).
 * The control type itself changes nothing else (`evaluateStart` only carries it). So every
 * (control type, category, fuel) the duration matrix offers falls into a class
 * `<accreditations>-<minutes>` — with the default matrix 11 classes (`vl-45`, `vl_gaz-60`, `l-35`,
 * `vl-20`, …) for 5 × 4 × 5 = 100 combinations — and one centre day holds at most 11 rows/keys,
 * whatever the number of profiles: 2,000 centres × 91 days × 11 ≈ 2M rows at most.
 */
export interface ProfileClass {
  /** `vl-45`, `vl_gaz-60`, `l-35`, … */
  readonly id: string;
  readonly accreditations: readonly string[];
  readonly durationMinutes: number;
  /** A profile of the class, handed to `availableStarts` (any member gives the same answer). */
  readonly representative: AvailabilityProfile;
}

export interface VehicleProfileQuery {
  readonly controlType: ControlType;
  readonly category: VehicleCategory;
  readonly fuel: Fuel;
}

function durationOf(matrix: DurationMatrix, profile: VehicleProfileQuery): number | undefined {
  const rule = durationRuleOf(matrix, profile.controlType, profile.category, profile.fuel);
  if (rule === undefined) return undefined;
  return profile.fuel === 'Gaz' ? rule.minutes + rule.gazExtraMinutes : rule.minutes;
}

/** The class of a profile, or `undefined` when the matrix does not offer that control for it. */
export function profileClassId(
  profile: VehicleProfileQuery,
  matrix: DurationMatrix = DEFAULT_DURATION_MATRIX,
): string | undefined {
  const minutes = durationOf(matrix, profile);
  if (minutes === undefined) return undefined;
  const needs = [...requiredAccreditations({ category: profile.category, fuel: profile.fuel })].sort();
  return `${needs.join('_').toLowerCase()}-${minutes}`;
}

/** Every class of the matrix, sorted by id, each with a representative profile. */
export function profileClasses(matrix: DurationMatrix = DEFAULT_DURATION_MATRIX): readonly ProfileClass[] {
  const classes = new Map<string, ProfileClass>();
  for (const controlType of CONTROL_TYPES) {
    for (const category of VEHICLE_CATEGORIES) {
      for (const fuel of FUELS) {
        const profile = { controlType, category, fuel };
        const id = profileClassId(profile, matrix);
        const durationMinutes = durationOf(matrix, profile);
        if (id === undefined || durationMinutes === undefined || classes.has(id)) continue;
        classes.set(id, {
          id,
          accreditations: [...requiredAccreditations({ category, fuel })].sort(),
          durationMinutes,
          representative: { controlType, category, fuel, durationMinutes },
        });
      }
    }
  }
  return [...classes.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
