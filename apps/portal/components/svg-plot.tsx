// A small SVG plot (no chart library): a line or dots over linear axes, with an optional
// vertical marker, for charts of a few thousand points at most.

export interface SvgPlotProps {
  x: number[];
  y: number[];
  mode: 'line' | 'dots';
  xLabel: string;
  yLabel: string;
  /** A vertical line at this x (e.g. a candidate's period). */
  markerX?: number;
  /** Log scale on x (periodograms span decades of periods). */
  logX?: boolean;
  height?: number;
  testId?: string;
  format?: (value: number) => string;
}

const width = 640;
const margin = { top: 10, right: 12, bottom: 36, left: 78 };

function extent(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  return [lo, hi];
}

const plain = (v: number) =>
  Math.abs(v) >= 1000 || Math.abs(v) < 0.01 ? v.toPrecision(3) : v.toFixed(3).replace(/\.?0+$/, '');

export function SvgPlot({
  x,
  y,
  mode,
  xLabel,
  yLabel,
  markerX,
  logX = false,
  height = 240,
  testId,
  format = plain,
}: SvgPlotProps) {
  const tx = (v: number) => (logX ? Math.log10(v) : v);
  const [x0, x1] = extent(x.map(tx));
  const [y0, y1] = extent(y);
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const px = (v: number) => margin.left + ((tx(v) - x0) / (x1 - x0)) * plotW;
  const py = (v: number) => margin.top + (1 - (v - y0) / (y1 - y0)) * plotH;
  const points = x.map((v, i) => `${px(v).toFixed(1)},${py(y[i]).toFixed(1)}`);
  const ticks = (lo: number, hi: number) => [lo, lo + (hi - lo) / 2, hi];
  const xTicks = ticks(x0, x1).map((t) => (logX ? 10 ** t : t));
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      className="svg-plot"
      role="img"
      aria-label={`${yLabel} against ${xLabel}`}
      data-testid={testId}
      data-points={x.length}
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
      {xTicks.map((t, i) => (
        <text
          key={`x${t}`}
          x={px(t)}
          y={height - 20}
          textAnchor={(['start', 'middle', 'end'] as const)[i]}
          fontSize={11}
        >
          {format(t)}
        </text>
      ))}
      {ticks(y0, y1).map((t) => (
        <text key={`y${t}`} x={margin.left - 6} y={py(t) + 4} textAnchor="end" fontSize={11}>
          {format(t)}
        </text>
      ))}
      <text x={margin.left + plotW / 2} y={height - 4} textAnchor="middle" fontSize={12}>
        {xLabel}
      </text>
      <text
        x={12}
        y={margin.top + plotH / 2}
        textAnchor="middle"
        fontSize={12}
        transform={`rotate(-90 12 ${margin.top + plotH / 2})`}
      >
        {yLabel}
      </text>
      {markerX !== undefined ? (
        <line
          x1={px(markerX)}
          x2={px(markerX)}
          y1={margin.top}
          y2={margin.top + plotH}
          stroke="var(--chart-2)"
          strokeDasharray="4 3"
        />
      ) : null}
      {mode === 'line' ? (
        <polyline points={points.join(' ')} fill="none" stroke="var(--chart)" strokeWidth={1} />
      ) : (
        <g fill="var(--chart)">
          {x.map((v, i) => (
            <circle key={i} cx={px(v)} cy={py(y[i])} r={1.8} />
          ))}
        </g>
      )}
    </svg>
  );
}
