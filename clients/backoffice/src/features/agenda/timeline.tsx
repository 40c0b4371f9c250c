import type { AgendaBlock, AgendaEntry, DayAgenda } from '../../api/types.js';
import { minutesOf, STATUS_LABELS, timeOf } from '../../ui/format.js';

/**
 * The day as one horizontal track per inspector. Every appointment is a button positioned by its
 * times, whose accessible name says everything the colour says (time, status, overbooked,
 * reference, vehicle), so the timeline reads as a list to a screen reader and works by keyboard.
 */

export type EntryKind = 'hold' | 'confirmed' | 'overbooked' | 'done' | 'inactive';

export function entryKind(entry: AgendaEntry): EntryKind {
  if (entry.overbooked) return 'overbooked';
  if (entry.status === 'placed') return 'hold';
  if (entry.status === 'confirmed' || entry.status === 'checked_in') return 'confirmed';
  if (entry.status === 'completed') return 'done';
  return 'inactive';
}

const KIND_LABELS: Record<EntryKind, string> = {
  hold: 'option (non confirmé)',
  confirmed: 'confirmé',
  overbooked: 'surbooking',
  done: 'terminé',
  inactive: 'libéré',
};

/** What the slot shows on screen; its accessible name starts with it (WCAG 2.5.3 label in name). */
export function entryVisibleText(entry: AgendaEntry): string {
  return `${entry.start} ${entry.vehicle.plate ?? entry.reference}`;
}

export function entryLabel(entry: AgendaEntry): string {
  const parts = [
    entryVisibleText(entry),
    `jusqu’à ${entry.end}`,
    STATUS_LABELS[entry.status] ?? entry.status,
    ...(entry.overbooked ? ['surbooking'] : []),
    entry.reference,
    entry.vehicle.category,
    entry.customerName ?? '',
    ...(entry.result ? [`résultat ${entry.result}`] : []),
  ];
  return parts.filter((part) => part !== '').join(', ');
}

/** The hours the tracks span: opening-ish defaults widened to what the day holds. */
export function dayRange(agenda: DayAgenda): { from: number; to: number } {
  let from = 8 * 60;
  let to = 19 * 60;
  const all = [...agenda.unassigned, ...agenda.inspectors.flatMap((inspector) => inspector.entries)];
  const blocks = [...agenda.centreBlocks, ...agenda.inspectors.flatMap((i) => i.blocks)];
  for (const item of [...all.map((e) => ({ from: e.start, to: e.end })), ...blocks]) {
    from = Math.min(from, Math.floor(minutesOf(item.from) / 60) * 60);
    to = Math.max(to, Math.ceil(minutesOf(item.to) / 60) * 60);
  }
  return { from, to };
}

function Positioned(props: {
  from: string;
  to: string;
  range: { from: number; to: number };
  className: string;
  /** Which of `lanes` stacked rows the item sits in (overlapping reservations share a track). */
  lane?: { index: number; count: number } | undefined;
  children: React.ReactNode;
}) {
  const span = props.range.to - props.range.from;
  const left = ((minutesOf(props.from) - props.range.from) / span) * 100;
  const width = Math.max(((minutesOf(props.to) - minutesOf(props.from)) / span) * 100, 0.8);
  const lane = props.lane ?? { index: 0, count: 1 };
  const vertical =
    lane.count > 1
      ? { top: `${(lane.index / lane.count) * 100}%`, height: `${100 / lane.count}%`, bottom: 'auto' }
      : {};
  return (
    <li className={props.className} style={{ left: `${left}%`, width: `${width}%`, ...vertical }}>
      {props.children}
    </li>
  );
}

/**
 * Stacked rows for a track's entries: an overbooked reservation overlaps another one on purpose, and
 * each must stay visible and clickable. Greedy interval partitioning by start time; every entry of a
 * group of overlapping entries gets that group's row count.
 */
export function laneLayout(
  entries: readonly { reservationId: string; start: string; end: string }[],
): Map<string, { index: number; count: number }> {
  const sorted = [...entries].sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
  const layout = new Map<string, { index: number; count: number }>();
  let group: { id: string; index: number }[] = [];
  let laneEnds: number[] = [];
  let groupEnd = -1;
  const closeGroup = () => {
    for (const member of group) layout.set(member.id, { index: member.index, count: laneEnds.length });
    group = [];
    laneEnds = [];
  };
  for (const entry of sorted) {
    const start = minutesOf(entry.start);
    const end = minutesOf(entry.end);
    if (start >= groupEnd) closeGroup();
    let index = laneEnds.findIndex((laneEnd) => laneEnd <= start);
    if (index === -1) index = laneEnds.push(end) - 1;
    else laneEnds[index] = end;
    group.push({ id: entry.reservationId, index });
    groupEnd = Math.max(groupEnd, end);
  }
  closeGroup();
  return layout;
}

function Track(props: {
  entries: AgendaEntry[];
  blocks: AgendaBlock[];
  range: { from: number; to: number };
  selected: string | null;
  onSelect: (entry: AgendaEntry) => void;
  label: string;
}) {
  const lanes = laneLayout(props.entries);
  return (
    <ol className="track" aria-label={props.label}>
      {props.blocks.map((block) => (
        <Positioned
          key={`b-${block.from}-${block.to}-${block.label}`}
          from={block.from}
          to={block.to}
          range={props.range}
          className="slot slot-blocked"
        >
          <span className="slot-text">
            Bloqué {block.from}–{block.to} : {block.label}
          </span>
        </Positioned>
      ))}
      {props.entries.map((entry) => (
        <Positioned
          key={entry.reservationId}
          from={entry.start}
          to={entry.end}
          range={props.range}
          lane={lanes.get(entry.reservationId)}
          className={`slot slot-${entryKind(entry)}`}
        >
          <button
            type="button"
            aria-label={entryLabel(entry)}
            aria-pressed={props.selected === entry.bookingId}
            onClick={() => props.onSelect(entry)}
          >
            {entryVisibleText(entry)}
          </button>
        </Positioned>
      ))}
    </ol>
  );
}

export function Timeline(props: {
  agenda: DayAgenda;
  selected: string | null;
  onSelect: (entry: AgendaEntry) => void;
}) {
  const range = dayRange(props.agenda);
  const hours: number[] = [];
  for (let m = range.from; m <= range.to; m += 60) hours.push(m);
  const span = range.to - range.from;
  return (
    <div className="timeline">
      <ul className="legend" aria-label="Légende">
        {(['hold', 'confirmed', 'overbooked', 'done'] as const).map((kind) => (
          <li key={kind}>
            <span className={`swatch slot-${kind}`} aria-hidden="true" /> {KIND_LABELS[kind]}
          </li>
        ))}
        <li>
          <span className="swatch slot-blocked" aria-hidden="true" /> période bloquée
        </li>
      </ul>
      <div className="hours" aria-hidden="true">
        {hours.map((m) => (
          <span key={m} style={{ left: `${((m - range.from) / span) * 100}%` }}>
            {timeOf(m)}
          </span>
        ))}
      </div>
      {props.agenda.inspectors.map((inspector) => (
        <section
          key={inspector.inspectorId}
          className="lane"
          aria-labelledby={`lane-${inspector.inspectorId}`}
        >
          <h3 id={`lane-${inspector.inspectorId}`}>
            {inspector.name} <small>({inspector.accreditations.join(', ')})</small>
          </h3>
          <Track
            label={`Rendez-vous de ${inspector.name}`}
            entries={inspector.entries}
            blocks={[...props.agenda.centreBlocks, ...inspector.blocks]}
            range={range}
            selected={props.selected}
            onSelect={props.onSelect}
          />
        </section>
      ))}
      {props.agenda.unassigned.length > 0 ? (
        <section className="lane" aria-labelledby="lane-unassigned">
          <h3 id="lane-unassigned">Sans contrôleur (surbooking)</h3>
          <Track
            label="Rendez-vous sans contrôleur"
            entries={props.agenda.unassigned}
            blocks={[]}
            range={range}
            selected={props.selected}
            onSelect={props.onSelect}
          />
        </section>
      ) : null}
      {props.agenda.inspectors.length === 0 ? <p>Aucun contrôleur ne travaille ce jour-là.</p> : null}
    </div>
  );
}
