// A metric's usage over its billing period (SVG, no chart library): the cumulative quantity so
// far, the linear forecast to the period's end (dashed), and the included quantity and quota
// as horizontal lines. Quantities are plotted as numbers: positions, never amounts of money.

import { formatQuantity } from '@/lib/format';

const width = 640;
const height = 200;
const margin = { top: 12, right: 12, bottom: 28, left: 78 };

export interface UsagePoint {
  /** Milliseconds since the epoch. */
  at: number;
  quantity: number;
}

function shortNumber(value: number): string {
  return formatQuantity(
    Math.abs(value) >= 1000 ? value.toFixed(0) : value.toFixed(2).replace(/\.?0+$/, ''),
  );
}

export function UsageChart({
  points,
  forecast,
  from,
  to,
  included,
  quota,
  unit,
  testId,
}: {
  points: UsagePoint[];
  /** The forecast at the period's end; drawn from the last point. */
  forecast: number | null;
  from: number;
  to: number;
  included: number | null;
  quota: number | null;
  unit: string;
  testId?: string;
}) {
  const top = Math.max(
    1,
    ...points.map((p) => p.quantity),
    forecast ?? 0,
    included ?? 0,
    quota ?? 0,
  );
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const px = (t: number) => margin.left + ((t - from) / Math.max(1, to - from)) * plotW;
  const py = (q: number) => margin.top + (1 - q / (top * 1.05)) * plotH;
  const last = points[points.length - 1];
  const day = (t: number) => new Date(t).toISOString().slice(5, 10);
  const level = (value: number | null, label: string, color: string) =>
    value === null ? null : (
      <g>
        <line
          x1={margin.left}
          x2={margin.left + plotW}
          y1={py(value)}
          y2={py(value)}
          stroke={color}
          strokeDasharray="2 3"
        />
        <text x={margin.left + plotW - 4} y={py(value) - 4} textAnchor="end" fontSize={11}>
          {label} {shortNumber(value)}
        </text>
      </g>
    );
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      className="svg-plot"
      role="img"
      aria-label={`usage in ${unit} over the period, with its forecast`}
      data-testid={testId}
      data-points={points.length}
    >
      <rect
        x={margin.left}
        y={margin.top}
        width={plotW}
        height={plotH}
        fill="none"
        stroke="currentColor"
        strokeOpacity={0.3}
      />
      {[0, top / 2, top].map((q) => (
        <text key={q} x={margin.left - 6} y={py(q) + 4} textAnchor="end" fontSize={11}>
          {shortNumber(q)}
        </text>
      ))}
      <text x={margin.left} y={height - 8} fontSize={11}>
        {day(from)}
      </text>
      <text x={margin.left + plotW} y={height - 8} textAnchor="end" fontSize={11}>
        {day(to - 1)}
      </text>
      <text x={margin.left + plotW / 2} y={height - 8} textAnchor="middle" fontSize={11}>
        {unit}
      </text>
      {level(included, 'included', 'var(--chart-3)')}
      {level(quota, 'quota', 'var(--chart-4)')}
      <polyline
        points={points.map((p) => `${px(p.at).toFixed(1)},${py(p.quantity).toFixed(1)}`).join(' ')}
        fill="none"
        stroke="var(--chart)"
        strokeWidth={1.5}
      />
      {last && forecast !== null ? (
        <line
          data-testid={testId ? `${testId}-forecast` : undefined}
          x1={px(last.at)}
          y1={py(last.quantity)}
          x2={px(to)}
          y2={py(forecast)}
          stroke="var(--chart-2)"
          strokeDasharray="5 4"
          strokeWidth={1.5}
        />
      ) : null}
    </svg>
  );
}
