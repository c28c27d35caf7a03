'use client';

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  /** Seconds since the epoch, ascending. */
  times: number[];
  /** null breaks the line (a gap in the data). */
  mean: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
  /** True when a point stands for several raw points: draw the min/max band. */
  downsampled: boolean;
  /** How its values read on its axis and in the legend (default: uPlot's numbers). */
  format?: (value: number) => string;
}

const palette = ['--chart', '--chart-2', '--chart-3', '--chart-4', '--chart-5'];

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

const axisValues = (format: (value: number) => string) => (_: uPlot, splits: number[]) =>
  splits.map(format);

/** Joins several series on one time axis (uPlot wants aligned columns). */
function align(series: ChartSeries[]): uPlot.AlignedData {
  const times = [...new Set(series.flatMap((s) => s.times))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const columns: (number | null)[][] = [];
  for (const s of series) {
    const mean = new Array<number | null>(times.length).fill(null);
    const min = new Array<number | null>(times.length).fill(null);
    const max = new Array<number | null>(times.length).fill(null);
    s.times.forEach((t, i) => {
      const at = index.get(t)!;
      mean[at] = s.mean[i];
      min[at] = s.min[i];
      max[at] = s.max[i];
    });
    columns.push(mean, min, max);
  }
  return [times, ...columns] as uPlot.AlignedData;
}

/** A time chart (uPlot, canvas): a mean line per series with its min/max band when downsampled. */
export function SeriesChart({
  series,
  utc,
  height = 360,
}: {
  series: ChartSeries[];
  utc: boolean;
  height?: number;
}) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (!element || series.length === 0) return;
    const text = cssVar('--text', '#1b2330');
    const grid = cssVar('--border', '#d9dee6');
    const uSeries: uPlot.Series[] = [{}];
    const bands: uPlot.Band[] = [];
    series.forEach((s, k) => {
      const color = cssVar(palette[k % palette.length], '#1f6feb');
      const base = 1 + k * 3;
      // Each series on its own scale: the first has the left axis, the second the right one.
      const scale = `y${k}`;
      const edge = { scale, stroke: 'transparent', show: s.downsampled, points: { show: false } };
      const format = s.format;
      uSeries.push(
        {
          label: s.label,
          scale,
          stroke: color,
          width: 1.5,
          spanGaps: false,
          ...(format
            ? { value: (_: uPlot, v: number | null) => (v === null ? '–' : format(v)) }
            : {}),
        },
        { ...edge, label: `${s.label} min` },
        { ...edge, label: `${s.label} max` },
      );
      if (s.downsampled) bands.push({ series: [base + 2, base + 1], fill: `${color}33` });
    });
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    const plot = new uPlot(
      {
        width: element.clientWidth,
        height,
        series: uSeries,
        bands,
        scales: Object.fromEntries([
          ['x', { time: true }],
          ...series.map((_, k) => [`y${k}`, { auto: true }]),
        ]),
        axes: [
          axis,
          ...series.slice(0, 2).map((s, k) => ({
            ...axis,
            scale: `y${k}`,
            side: k === 0 ? 3 : 1,
            // Formatted values ("2.86 MiB") are wider than plain numbers.
            size: s.format ? 80 : 60,
            stroke: cssVar(palette[k], text),
            grid: { show: k === 0, stroke: grid, width: 1 },
            ...(s.format ? { values: axisValues(s.format) } : {}),
          })),
        ],
        legend: { show: true, live: true },
        cursor: { drag: { x: true, y: false } },
        tzDate: (seconds) =>
          utc ? uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC') : new Date(seconds * 1000),
      },
      align(series),
      element,
    );
    const resize = () => plot.setSize({ width: element.clientWidth, height });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [series, utc, height]);

  return <div ref={container} className="series-chart" data-testid="series-chart" />;
}
