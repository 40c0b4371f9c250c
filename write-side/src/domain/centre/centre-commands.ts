import type {
  AbsenceKind,
  Accreditation,
  CentreContact,
  Currency,
  GeoPosition,
  PriceEntry,
  WeeklyHours,
} from '@pti/events';

/**
 * Commands of the Centre aggregate (stream `centre-<centreId>`). Every command names its centre;
 * `decide` refuses a command addressed to another centre than the stream's.
 */

export interface CentreDetails {
  readonly name: string;
  readonly address: string;
  readonly postcode: string;
  readonly city: string;
  readonly position: GeoPosition;
  readonly contact: CentreContact;
}

export interface RegisterCentre extends CentreDetails {
  readonly type: 'RegisterCentre';
  readonly centreId: string;
  readonly code: string;
}

export interface UpdateCentreDetails extends CentreDetails {
  readonly type: 'UpdateCentreDetails';
  readonly centreId: string;
}

export interface SetOpeningHours {
  readonly type: 'SetOpeningHours';
  readonly centreId: string;
  readonly week: WeeklyHours;
}

export interface AddClosure {
  readonly type: 'AddClosure';
  readonly centreId: string;
  readonly closureId: string;
  /** First closed day, `YYYY-MM-DD`. */
  readonly from: string;
  /** Last closed day, inclusive. */
  readonly to: string;
  readonly label: string;
}

export interface RemoveClosure {
  readonly type: 'RemoveClosure';
  readonly centreId: string;
  readonly closureId: string;
}

export interface SetPriceList {
  readonly type: 'SetPriceList';
  readonly centreId: string;
  readonly currency: Currency;
  readonly entries: readonly PriceEntry[];
}

export interface BookingPolicy {
  readonly holdMinutes: number;
  readonly overbookingPercent: number;
  readonly minimumNoticeMinutes: number;
  readonly horizonDays: number;
  readonly cancellationCutoffHours: number;
  readonly freeContreVisiteDays: number;
}

/** Fields left out keep their current value (the event always carries the whole policy). */
export interface SetBookingPolicy extends Partial<BookingPolicy> {
  readonly type: 'SetBookingPolicy';
  readonly centreId: string;
}

export interface SetDailyCapacity {
  readonly type: 'SetDailyCapacity';
  readonly centreId: string;
  readonly capacity: number;
}

export interface AddInspector {
  readonly type: 'AddInspector';
  readonly centreId: string;
  readonly inspectorId: string;
  readonly name: string;
  readonly userId: string | null;
  readonly accreditations: readonly Accreditation[];
}

export interface RemoveInspector {
  readonly type: 'RemoveInspector';
  readonly centreId: string;
  readonly inspectorId: string;
}

export interface ChangeInspectorAccreditations {
  readonly type: 'ChangeInspectorAccreditations';
  readonly centreId: string;
  readonly inspectorId: string;
  readonly accreditations: readonly Accreditation[];
}

export interface SetInspectorSchedule {
  readonly type: 'SetInspectorSchedule';
  readonly centreId: string;
  readonly inspectorId: string;
  readonly week: WeeklyHours;
}

export interface DeclareInspectorAbsence {
  readonly type: 'DeclareInspectorAbsence';
  readonly centreId: string;
  readonly inspectorId: string;
  readonly absenceId: string;
  /** Local `YYYY-MM-DDTHH:MM`, inclusive. */
  readonly from: string;
  /** Local `YYYY-MM-DDTHH:MM`, exclusive. */
  readonly to: string;
  readonly kind: AbsenceKind;
}

export interface CancelInspectorAbsence {
  readonly type: 'CancelInspectorAbsence';
  readonly centreId: string;
  readonly inspectorId: string;
  readonly absenceId: string;
}

export interface DeactivateCentre {
  readonly type: 'DeactivateCentre';
  readonly centreId: string;
  readonly reason: string;
}

export interface ReactivateCentre {
  readonly type: 'ReactivateCentre';
  readonly centreId: string;
}

export type CentreCommand =
  | RegisterCentre
  | UpdateCentreDetails
  | SetOpeningHours
  | AddClosure
  | RemoveClosure
  | SetPriceList
  | SetBookingPolicy
  | SetDailyCapacity
  | AddInspector
  | RemoveInspector
  | ChangeInspectorAccreditations
  | SetInspectorSchedule
  | DeclareInspectorAbsence
  | CancelInspectorAbsence
  | DeactivateCentre
  | ReactivateCentre;
