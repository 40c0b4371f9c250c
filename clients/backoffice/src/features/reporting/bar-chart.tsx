/**
 * A dependency-free SVG bar chart (grouped or stacked series). The SVG is an image with a summary
 * for screen readers; the page always shows the same figures as a table beside it.
 */
export interface Series {
  readonly name: string;
  readonly values: readonly number[];
  /** CSS class giving the fill (colours live in the stylesheet). */
  readonly className: string;
}

export function BarChart(props: {
  title: string;
  labels: readonly string[];
  series: readonly Series[];
  stacked?: boolean;
  format?: (value: number) => string;
  /** The text under each bar; by default the day of a `YYYY-MM-DD` label. */
  tick?: (label: string) => string;
  height?: number;
}) {
  const height = props.height ?? 180;
  const width = Math.max(320, props.labels.length * 36 + 60);
  const pad = { left: 48, bottom: 28, top: 10 };
  const plotH = height - pad.bottom - pad.top;
  const totals = props.labels.map((_, i) =>
    props.stacked
      ? props.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0)
      : Math.max(0, ...props.series.map((s) => s.values[i] ?? 0)),
  );
  const max = Math.max(1, ...totals);
  const slot = (width - pad.left) / Math.max(1, props.labels.length);
  const barW = props.stacked ? slot * 0.6 : (slot * 0.7) / Math.max(1, props.series.length);
  const y = (v: number) => pad.top + plotH - (v / max) * plotH;
  const format = props.format ?? ((v: number) => String(v));
  const summary = `${props.title} : maximum ${format(max)} sur ${props.labels.length} ${props.tick ? 'élément(s)' : 'jour(s)'}.`;
  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={summary}>
        <line x1={pad.left} x2={width} y1={y(0)} y2={y(0)} className="axis" />
        <text x={pad.left - 6} y={y(max) + 4} textAnchor="end" className="tick">
          {format(max)}
        </text>
        <text x={pad.left - 6} y={y(0)} textAnchor="end" className="tick">
          0
        </text>
        {props.labels.map((label, i) => {
          const x0 = pad.left + i * slot + (slot - (props.stacked ? barW : barW * props.series.length)) / 2;
          let base = 0;
          return (
            <g key={label}>
              {props.series.map((s, k) => {
                const v = s.values[i] ?? 0;
                const x = props.stacked ? x0 : x0 + k * barW;
                const top = props.stacked ? y(base + v) : y(v);
                const bottom = props.stacked ? y(base) : y(0);
                if (props.stacked) base += v;
                return (
                  <rect
                    key={s.name}
                    x={x}
                    y={top}
                    width={barW}
                    height={Math.max(0, bottom - top)}
                    className={s.className}
                  >
                    <title>{`${label} · ${s.name} : ${format(v)}`}</title>
                  </rect>
                );
              })}
              <text x={pad.left + i * slot + slot / 2} y={height - 10} textAnchor="middle" className="tick">
                {(props.tick ?? ((l: string) => l.slice(8, 10)))(label)}
              </text>
            </g>
          );
        })}
      </svg>
      <ul className="legend" aria-hidden="true">
        {props.series.map((s) => (
          <li key={s.name}>
            <span className={`swatch ${s.className}`} /> {s.name}
          </li>
        ))}
      </ul>
    </figure>
  );
}
