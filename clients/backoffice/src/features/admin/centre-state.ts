import type { Accreditation, LocalInterval, WeekHours } from '../../api/types.js';
import { WEEKDAYS } from '../../api/types.js';
import { emptyWeek } from './week-editor.js';

/**
 * The parts of a centre's folded state (`GET /audit/streams/centre-<id>/state`, the write side's
 * `CentreState`) the administration page shows: every inspector with schedule and absences, the
 * policy and the closures. The route types `state` as an open object, so it is read defensively:
 * anything not of the expected shape is left out rather than trusted.
 */

export interface AdminInspector {
  readonly inspectorId: string;
  readonly name: string;
  readonly accreditations: Accreditation[];
  readonly week: WeekHours | null;
  readonly absences: { absenceId: string; from: string; to: string; kind: string }[];
}

export interface AdminCentreState {
  readonly inspectors: AdminInspector[];
  readonly policy: Record<string, number>;
  readonly closures: { closureId: string; from: string; to: string; label: string }[];
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const ACCREDITATIONS = new Set<string>(['VL', 'L', 'GAZ', 'PL']);

function intervals(value: unknown): LocalInterval[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    if (!isObject(item)) return [];
    const from = str(item.from);
    const to = str(item.to);
    return from !== null && to !== null ? [{ from, to }] : [];
  });
}

function week(value: unknown): WeekHours | null {
  if (!isObject(value)) return null;
  const result = emptyWeek();
  for (const day of WEEKDAYS) result[day] = intervals(value[day]);
  return result;
}

export function readCentreState(state: unknown): AdminCentreState {
  const root = isObject(state) ? state : {};
  const inspectors = (Array.isArray(root.inspectors) ? root.inspectors : []).flatMap(
    (raw): AdminInspector[] => {
      if (!isObject(raw)) return [];
      const inspectorId = str(raw.inspectorId);
      const name = str(raw.name);
      if (inspectorId === null || name === null) return [];
      const accreditations = (Array.isArray(raw.accreditations) ? raw.accreditations : []).filter(
        (a): a is Accreditation => typeof a === 'string' && ACCREDITATIONS.has(a),
      );
      const absences = (Array.isArray(raw.absences) ? raw.absences : []).flatMap((a) => {
        if (!isObject(a)) return [];
        const absenceId = str(a.absenceId);
        const from = str(a.from);
        const to = str(a.to);
        return absenceId && from && to ? [{ absenceId, from, to, kind: str(a.kind) ?? 'other' }] : [];
      });
      return [{ inspectorId, name, accreditations, week: week(raw.week), absences }];
    },
  );
  const policy: Record<string, number> = {};
  if (isObject(root.policy))
    for (const [key, value] of Object.entries(root.policy))
      if (typeof value === 'number') policy[key] = value;
  const closures = (Array.isArray(root.closures) ? root.closures : []).flatMap((c) => {
    if (!isObject(c)) return [];
    const closureId = str(c.closureId);
    const from = str(c.from);
    const to = str(c.to);
    return closureId && from && to ? [{ closureId, from, to, label: str(c.label) ?? '' }] : [];
  });
  return { inspectors, policy, closures };
}
