import type { ControlType, Fuel, VehicleCategory } from '@pti/events';
import { DomainError } from '../shared/index.js';

/**
 * The duration matrix (reference/domain-ct.md, "Durations"): how long a control occupies an
 * inspector, by control type and vehicle category, with extra minutes for LPG/CNG (`Gaz`) vehicles.
 * A cell that is absent means the control is not offered for that category; a fuel listed in
 * `exemptFuels` means the control is not offered for that fuel.
 *
 * "Hybride" means a hybrid with a combustion engine (HEV, PHEV, range extender): it has an exhaust,
 * so the pollution visit (CTC/CVC) applies. "Electrique" covers battery-electric and fuel-cell
 * (hydrogen) vehicles: the contract has no separate hydrogen fuel because traction is electric in
 * both, and both are exempt from the pollution visit.
 */

export interface DurationRule {
  /** Minutes for any fuel of the category. */
  readonly minutes: number;
  /** Extra minutes for a `Gaz` (LPG/CNG) vehicle: the gas installation is inspected too. */
  readonly gazExtraMinutes: number;
  /** Fuels for which this control is not offered (exempt), e.g. electric vehicles for a CTC. */
  readonly exemptFuels: readonly Fuel[];
}

export type DurationRow = { readonly [K in VehicleCategory]?: DurationRule };
export type DurationMatrix = { readonly [C in ControlType]: DurationRow };

/** A network's changes to a matrix: a rule replaces a cell, `null` withdraws it. */
export type DurationOverrides = {
  readonly [C in ControlType]?: { readonly [K in VehicleCategory]?: DurationRule | null };
};

const ctpLike: DurationRow = {
  VP: { minutes: 45, gazExtraMinutes: 15, exemptFuels: [] },
  VU: { minutes: 45, gazExtraMinutes: 15, exemptFuels: [] },
  // The "+Gaz" column of the reference applies to VP/VU; a two-wheeler's gas kit adds no time.
  Moto: { minutes: 35, gazExtraMinutes: 0, exemptFuels: [] },
  Cyclo: { minutes: 35, gazExtraMinutes: 0, exemptFuels: [] },
};

const pollutionExempt: readonly Fuel[] = ['Electrique'];

/** The defaults of reference/domain-ct.md; each network may override them. */
export const DEFAULT_DURATION_MATRIX: DurationMatrix = {
  CTP: ctpLike,
  CVP: {
    VP: { minutes: 20, gazExtraMinutes: 5, exemptFuels: [] },
    VU: { minutes: 20, gazExtraMinutes: 5, exemptFuels: [] },
    Moto: { minutes: 20, gazExtraMinutes: 0, exemptFuels: [] },
    Cyclo: { minutes: 20, gazExtraMinutes: 0, exemptFuels: [] },
  },
  // A voluntary control inspects the same points as a periodic one.
  CV: ctpLike,
  // The pollution visit is for light utility vehicles (N1) only; "—" in the +Gaz column means no extra.
  CTC: { VU: { minutes: 20, gazExtraMinutes: 0, exemptFuels: pollutionExempt } },
  CVC: { VU: { minutes: 15, gazExtraMinutes: 0, exemptFuels: pollutionExempt } },
};

const MAX_MINUTES = 480;

function checkRule(controlType: ControlType, category: VehicleCategory, rule: DurationRule): void {
  const total = rule.minutes + rule.gazExtraMinutes;
  const valid =
    Number.isInteger(rule.minutes) &&
    Number.isInteger(rule.gazExtraMinutes) &&
    rule.minutes >= 1 &&
    rule.gazExtraMinutes >= 0 &&
    total <= MAX_MINUTES;
  if (!valid) {
    throw new DomainError(
      'INVALID_COMMAND',
      `duration of ${controlType} ${category} must be whole minutes, 1 to ${MAX_MINUTES} with the gas extra`,
      { controlType, category },
    );
  }
}

/** A new matrix: `base` with the network's overrides applied cell by cell (validated). */
export function overrideDurationMatrix(base: DurationMatrix, overrides: DurationOverrides): DurationMatrix {
  const next: { [C in ControlType]: { [K in VehicleCategory]?: DurationRule } } = {
    CTP: { ...base.CTP },
    CVP: { ...base.CVP },
    CV: { ...base.CV },
    CTC: { ...base.CTC },
    CVC: { ...base.CVC },
  };
  for (const controlType of Object.keys(overrides) as ControlType[]) {
    const row = overrides[controlType];
    if (row === undefined) continue;
    for (const category of Object.keys(row) as VehicleCategory[]) {
      const rule = row[category];
      if (rule === undefined) continue;
      if (rule === null) {
        delete next[controlType][category];
      } else {
        checkRule(controlType, category, rule);
        next[controlType][category] = { ...rule, exemptFuels: [...rule.exemptFuels] };
      }
    }
  }
  return next;
}

/** The rule of a combination, or `undefined` when the control is not offered for that vehicle. */
export function durationRuleOf(
  matrix: DurationMatrix,
  controlType: ControlType,
  category: VehicleCategory,
  fuel: Fuel,
): DurationRule | undefined {
  const rule = matrix[controlType][category];
  if (rule === undefined || rule.exemptFuels.includes(fuel)) return undefined;
  return rule;
}

export function isControlOffered(
  matrix: DurationMatrix,
  controlType: ControlType,
  category: VehicleCategory,
  fuel: Fuel,
): boolean {
  return durationRuleOf(matrix, controlType, category, fuel) !== undefined;
}

/**
 * Minutes a control takes for a vehicle. Throws `DomainError` `CONTROL_NOT_APPLICABLE` when the
 * matrix does not offer the control for that category or fuel (a CTC for a motorcycle or an
 * electric van).
 */
export function durationMinutes(
  matrix: DurationMatrix,
  controlType: ControlType,
  category: VehicleCategory,
  fuel: Fuel,
): number {
  const rule = durationRuleOf(matrix, controlType, category, fuel);
  if (rule === undefined) {
    throw new DomainError(
      'CONTROL_NOT_APPLICABLE',
      `${controlType} is not offered for a ${category} (${fuel})`,
      { controlType, category, fuel },
    );
  }
  return fuel === 'Gaz' ? rule.minutes + rule.gazExtraMinutes : rule.minutes;
}
