import { type FormEvent, useState } from 'react';
import { describeError } from '../../api/http.js';
import type { CentreReporting } from '../../api/types.js';
import { useApi } from '../../auth/session.js';
import { CentrePicker, useDefaultCentre } from '../../ui/centre-picker.js';
import { ErrorAlert, Field, PageTitle, StatusMessage } from '../../ui/components.js';
import { addDays, formatEuros, formatPercent, parisToday } from '../../ui/format.js';
import { BarChart } from './bar-chart.js';

/** Reporting per centre and period: charts by day, a table of the same figures, CSV export. */
export function ReportingPage() {
  const api = useApi();
  const [centreId, setCentreId] = useState<string | null>(useDefaultCentre());
  const [from, setFrom] = useState(addDays(parisToday(), -13));
  const [to, setTo] = useState(parisToday());
  const [report, setReport] = useState<CentreReporting | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const load = async (event: FormEvent) => {
    event.preventDefault();
    if (centreId === null) return;
    setError(null);
    try {
      setReport(await api.reporting(centreId, from, to));
    } catch (err) {
      setReport(null);
      setError(err);
    }
  };

  const exportCsv = async () => {
    if (centreId === null) return;
    try {
      const csv = await api.reportingCsv(centreId, from, to);
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `statistiques-${centreId}-${from}-${to}.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      URL.revokeObjectURL(url);
      setMessage({ kind: 'ok', text: 'Export CSV téléchargé.' });
    } catch (err) {
      setMessage({ kind: 'error', text: describeError(err) });
    }
  };

  const labels = report?.days.map((d) => d.date) ?? [];
  const [compared, setCompared] = useState<string[]>([]);
  const [comparison, setComparison] = useState<CentreReporting[] | null>(null);

  const compare = async () => {
    setError(null);
    try {
      setComparison(await Promise.all(compared.map((id) => api.reporting(id, from, to))));
    } catch (err) {
      setComparison(null);
      setError(err);
    }
  };
  return (
    <>
      <PageTitle>Statistiques</PageTitle>
      <section aria-labelledby="report-pick" className="panel">
        <h2 id="report-pick">Centre et période</h2>
        <CentrePicker value={centreId} onChange={setCentreId} />
        <form onSubmit={load} className="inline-form" aria-label="Période">
          <Field label="Du">
            {(id) => (
              <input id={id} type="date" required value={from} onChange={(e) => setFrom(e.target.value)} />
            )}
          </Field>
          <Field label="Au">
            {(id) => (
              <input id={id} type="date" required value={to} onChange={(e) => setTo(e.target.value)} />
            )}
          </Field>
          <button type="submit" disabled={centreId === null}>
            Afficher
          </button>
          <button type="button" onClick={exportCsv} disabled={centreId === null}>
            Exporter en CSV
          </button>
          <button
            type="button"
            disabled={centreId === null || compared.includes(centreId)}
            onClick={() => centreId !== null && setCompared((list) => [...list, centreId])}
          >
            Ajouter à la comparaison
          </button>
        </form>
        <StatusMessage message={message} />
        {error ? <ErrorAlert error={error} /> : null}
      </section>
      {compared.length > 0 ? (
        <section aria-labelledby="compare-title" className="panel">
          <h2 id="compare-title">Comparaison des centres ({compared.length})</h2>
          <div className="actions">
            <button type="button" onClick={compare}>
              Comparer sur la période
            </button>
            <button
              type="button"
              onClick={() => {
                setCompared([]);
                setComparison(null);
              }}
            >
              Vider la comparaison
            </button>
          </div>
          {comparison ? (
            <Comparison reports={comparison} />
          ) : (
            <p>{compared.length} centre(s) sélectionné(s).</p>
          )}
        </section>
      ) : null}
      {report ? (
        <>
          <section aria-labelledby="totals-title" className="panel">
            <h2 id="totals-title">
              {report.centre.name} — totaux du {report.from} au {report.to}
            </h2>
            <dl className="kpis">
              <div>
                <dt>Réservations</dt>
                <dd>{report.totals.bookings}</dd>
              </div>
              <div>
                <dt>Taux de remplissage</dt>
                <dd>{formatPercent(report.totals.fillRate)}</dd>
              </div>
              <div>
                <dt>Taux d’absence</dt>
                <dd>{formatPercent(report.totals.noShowRate)}</dd>
              </div>
              <div>
                <dt>Chiffre d’affaires</dt>
                <dd>{formatEuros(report.totals.revenueCents)}</dd>
              </div>
              <div>
                <dt>Résultats A / S / R</dt>
                <dd>
                  {report.totals.results.A} / {report.totals.results.S} / {report.totals.results.R}
                </dd>
              </div>
              <div>
                <dt>Délai moyen de réservation</dt>
                <dd>
                  {report.totals.averageLeadTimeHours === null
                    ? '—'
                    : `${report.totals.averageLeadTimeHours.toFixed(1)} h`}
                </dd>
              </div>
            </dl>
          </section>
          <section aria-labelledby="charts-title" className="panel charts">
            <h2 id="charts-title">Par jour</h2>
            <BarChart
              title="Réservations, annulations et absences"
              labels={labels}
              series={[
                { name: 'Réservations', values: report.days.map((d) => d.bookings), className: 'fill-1' },
                { name: 'Annulations', values: report.days.map((d) => d.cancellations), className: 'fill-2' },
                { name: 'Absences', values: report.days.map((d) => d.noShows), className: 'fill-3' },
              ]}
            />
            <BarChart
              title="Taux de remplissage"
              labels={labels}
              series={[
                {
                  name: 'Remplissage',
                  values: report.days.map((d) => (d.fillRate ?? 0) * 100),
                  className: 'fill-1',
                },
              ]}
              format={(v) => `${Math.round(v)} %`}
            />
            <BarChart
              title="Résultats des contrôles"
              labels={labels}
              stacked
              series={[
                { name: 'A', values: report.days.map((d) => d.results.A), className: 'fill-ok' },
                { name: 'S', values: report.days.map((d) => d.results.S), className: 'fill-2' },
                { name: 'R', values: report.days.map((d) => d.results.R), className: 'fill-3' },
              ]}
            />
            <BarChart
              title="Chiffre d’affaires"
              labels={labels}
              series={[{ name: 'CA', values: report.days.map((d) => d.revenueCents), className: 'fill-1' }]}
              format={formatEuros}
            />
          </section>
          <section aria-labelledby="table-title" className="panel">
            <h2 id="table-title">Détail par jour</h2>
            <div className="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Jour</th>
                    <th scope="col">Réservations</th>
                    <th scope="col">Annulations</th>
                    <th scope="col">Absences</th>
                    <th scope="col">Terminés</th>
                    <th scope="col">A/S/R</th>
                    <th scope="col">Remplissage</th>
                    <th scope="col">CA</th>
                    <th scope="col">Canaux (web/mobile/appel/guichet)</th>
                  </tr>
                </thead>
                <tbody>
                  {report.days.map((d) => (
                    <tr key={d.date}>
                      <th scope="row">{d.date}</th>
                      <td>{d.bookings}</td>
                      <td>{d.cancellations}</td>
                      <td>{d.noShows}</td>
                      <td>{d.completed}</td>
                      <td>
                        {d.results.A}/{d.results.S}/{d.results.R}
                      </td>
                      <td>{formatPercent(d.fillRate)}</td>
                      <td>{formatEuros(d.revenueCents)}</td>
                      <td>
                        {d.channels.web}/{d.channels.mobile}/{d.channels.call_centre}/{d.channels.backoffice}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      ) : null}
    </>
  );
}

/** Totals of several centres over the same period: one bar per centre, and the table. */
function Comparison({ reports }: { reports: CentreReporting[] }) {
  const names = reports.map((r) => r.centre.name);
  return (
    <>
      <div className="charts">
        <BarChart
          title="Réservations par centre"
          labels={names}
          tick={(name) => name.replace(/^Contrôle technique /, '').slice(0, 14)}
          series={[
            { name: 'Réservations', values: reports.map((r) => r.totals.bookings), className: 'fill-1' },
          ]}
        />
        <BarChart
          title="Chiffre d’affaires par centre"
          labels={names}
          tick={(name) => name.replace(/^Contrôle technique /, '').slice(0, 14)}
          series={[{ name: 'CA', values: reports.map((r) => r.totals.revenueCents), className: 'fill-1' }]}
          format={formatEuros}
        />
      </div>
      <table>
        <caption>Totaux par centre</caption>
        <thead>
          <tr>
            <th scope="col">Centre</th>
            <th scope="col">Réservations</th>
            <th scope="col">Remplissage</th>
            <th scope="col">Absences</th>
            <th scope="col">A/S/R</th>
            <th scope="col">CA</th>
          </tr>
        </thead>
        <tbody>
          {reports.map((r) => (
            <tr key={r.centre.centreId}>
              <th scope="row">{r.centre.name}</th>
              <td>{r.totals.bookings}</td>
              <td>{formatPercent(r.totals.fillRate)}</td>
              <td>{formatPercent(r.totals.noShowRate)}</td>
              <td>
                {r.totals.results.A}/{r.totals.results.S}/{r.totals.results.R}
              </td>
              <td>{formatEuros(r.totals.revenueCents)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
