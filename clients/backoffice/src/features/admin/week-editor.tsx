import { type LocalInterval, WEEKDAYS, type WeekHours } from '../../api/types.js';
import { WEEKDAY_LABELS } from '../../ui/format.js';

/** Up to two intervals per weekday (a split day); an empty first interval means closed. */
export function emptyWeek(): WeekHours {
  return { monday: [], tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] };
}

export function WeekEditor(props: { legend: string; value: WeekHours; onChange: (week: WeekHours) => void }) {
  const setInterval = (day: keyof WeekHours, index: number, part: keyof LocalInterval, time: string) => {
    const intervals = [...props.value[day]];
    const current = intervals[index] ?? { from: '', to: '' };
    intervals[index] = { ...current, [part]: time };
    props.onChange({ ...props.value, [day]: intervals });
  };
  return (
    <fieldset className="week-editor">
      <legend>{props.legend}</legend>
      <table>
        <thead>
          <tr>
            <th scope="col">Jour</th>
            <th scope="col">Matin / journée</th>
            <th scope="col">Après-midi (journée coupée)</th>
          </tr>
        </thead>
        <tbody>
          {WEEKDAYS.map((day) => (
            <tr key={day}>
              <th scope="row">{WEEKDAY_LABELS[day]}</th>
              {[0, 1].map((index) => (
                <td key={index}>
                  <input
                    type="time"
                    aria-label={`${WEEKDAY_LABELS[day]}, plage ${index + 1}, début`}
                    value={props.value[day][index]?.from ?? ''}
                    onChange={(e) => setInterval(day, index, 'from', e.target.value)}
                  />{' '}
                  –{' '}
                  <input
                    type="time"
                    aria-label={`${WEEKDAY_LABELS[day]}, plage ${index + 1}, fin`}
                    value={props.value[day][index]?.to ?? ''}
                    onChange={(e) => setInterval(day, index, 'to', e.target.value)}
                  />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </fieldset>
  );
}

/** Drops half-filled and empty intervals before sending. */
export function cleanWeek(week: WeekHours): WeekHours {
  const out = emptyWeek();
  for (const day of WEEKDAYS) out[day] = week[day].filter((i) => i.from !== '' && i.to !== '');
  return out;
}
