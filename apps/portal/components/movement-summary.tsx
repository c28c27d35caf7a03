'use client';

import { useQuery } from '@tanstack/react-query';
import { api, type SummaryRow } from '@/lib/api';
import { ErrorBanner } from './error-banner';

function DailyBars({ rows }: { rows: SummaryRow[] }) {
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const totals = days.map((d) =>
    rows.filter((r) => r.day === d).reduce((sum, r) => sum + Number(r.quantity), 0),
  );
  const max = Math.max(1, ...totals);
  const width = 600;
  const height = 120;
  const bar = width / Math.max(1, days.length);
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${width} ${height + 16}`}
      role="img"
      aria-label="Quantity per day"
    >
      {totals.map((total, i) => {
        const h = (total / max) * height;
        return (
          <rect
            key={days[i]}
            x={i * bar + 1}
            y={height - h}
            width={Math.max(1, bar - 2)}
            height={h}
            fill="var(--chart)"
          >
            <title>{`${days[i]}: ${total.toLocaleString()}`}</title>
          </rect>
        );
      })}
      <text x={0} y={height + 14} fontSize="11" fill="var(--muted)">
        {days[0]}
      </text>
      <text x={width} y={height + 14} fontSize="11" fill="var(--muted)" textAnchor="end">
        {days[days.length - 1]}
      </text>
    </svg>
  );
}

/** Movements of a node's subtree per resource and day, with a daily bar chart. */
export function MovementSummary({ nodeId }: { nodeId: string }) {
  const summary = useQuery({
    queryKey: ['movement-summary', nodeId],
    queryFn: () => api<{ rows: SummaryRow[] }>(`/api/nodes/${nodeId}/movement-summary`),
  });
  if (summary.error) return <ErrorBanner error={summary.error} />;
  if (!summary.data) return <p className="muted">Loading…</p>;
  const rows = summary.data.rows;
  if (rows.length === 0) return <p className="muted">No movements in the last 31 days.</p>;
  const byResource = new Map<
    string,
    { unit: string; quantity: number; amount: number; movements: number }
  >();
  for (const r of rows) {
    const entry = byResource.get(r.resourceReference) ?? {
      unit: r.unit,
      quantity: 0,
      amount: 0,
      movements: 0,
    };
    entry.quantity += Number(r.quantity);
    entry.amount += Number(r.amount ?? 0);
    entry.movements += r.movements;
    byResource.set(r.resourceReference, entry);
  }
  return (
    <>
      <div className="panel">
        <DailyBars rows={rows} />
      </div>
      <div className="table-wrap" data-testid="movement-summary">
        <table>
          <thead>
            <tr>
              <th>Resource</th>
              <th>Quantity (31 days)</th>
              <th>Unit</th>
              <th>Amount</th>
              <th>Movements</th>
            </tr>
          </thead>
          <tbody>
            {[...byResource].map(([reference, r]) => (
              <tr key={reference}>
                <td>{reference}</td>
                <td>{r.quantity.toLocaleString()}</td>
                <td>{r.unit}</td>
                <td>{r.amount ? r.amount.toFixed(4) : '—'}</td>
                <td>{r.movements}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
