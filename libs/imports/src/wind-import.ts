import { parseTurbineScada } from '@sextant/analytics';
import type { Pool } from 'pg';
import {
  columnOf,
  noRows,
  parseFile,
  timeRange,
  writeColumns,
  type ImportedColumn,
} from './import-columns';
import {
  ensureNodes,
  ensureResources,
  requireNode,
  type ResourceDefinition,
} from './import-writer';

// Wind SCADA import: a turbine's 10-minute SCADA (the layout of T1.csv) becomes a turbine node
// (kind machine) under a given node with one series per column; the points written are
// accounted as movements from the turbine to the node it was imported under. Importing the
// same file again finds the same turbine, writes no new point and accounts none.

/** Where wind SCADA lives in the store: one measurement, a field per column. */
export const windSeries = {
  measurement: 'scada',
  activePower: 'active_power_kw',
  windSpeed: 'wind_speed_ms',
  theoreticalPower: 'theoretical_power_kw',
  windDirection: 'wind_direction_deg',
} as const;

export const windResources = {
  activePower: 'wind.power.active',
  windSpeed: 'wind.speed',
  theoreticalPower: 'wind.power.theoretical',
  windDirection: 'wind.direction',
} as const;

const windResourceDefinitions: ResourceDefinition[] = [
  {
    reference: windResources.activePower,
    name: 'Wind turbine active power',
    unit: 'kW',
    description: "Active power at the turbine's low-voltage side, 10-minute mean",
  },
  {
    reference: windResources.windSpeed,
    name: 'Wind speed (nacelle)',
    unit: 'm/s',
    description: "Wind speed at the turbine's hub, 10-minute mean",
  },
  {
    reference: windResources.theoreticalPower,
    name: 'Wind turbine theoretical power',
    unit: 'kW',
    description: "The manufacturer's power curve at the measured wind speed",
  },
  {
    reference: windResources.windDirection,
    name: 'Wind direction',
    unit: '°',
    description: 'Direction the wind comes from, degrees from north',
  },
];

export interface WindScadaImport {
  /** The CSV text (T1.csv is Latin-1: decode its bytes as latin1 or utf8, both parse). */
  text: string;
  /** The node the turbine goes under (a wind farm, a site). */
  parentId: string;
  /** The turbine's name, unique under the parent (default `T1`, the data set's turbine). */
  turbine?: string;
}

export interface WindScadaImportResult {
  turbine: { id: string; name: string; created: boolean };
  rows: number;
  /** Earliest and latest row's time, ISO 8601 (the file's local times read as UTC). */
  from: string;
  to: string;
  series: ImportedColumn[];
}

/** Reads wind SCADA and writes it under `parentId` (see the file's comment). */
export async function importWindScada(
  pool: Pool,
  input: WindScadaImport,
): Promise<WindScadaImportResult> {
  const scada = parseFile(() => parseTurbineScada(input.text, 'file'));
  const rows = scada.time.length;
  if (rows === 0) throw noRows();
  await requireNode(pool, input.parentId);
  const name = input.turbine?.trim() || 'T1';
  const resources = await ensureResources(pool, windResourceDefinitions);
  const [{ id, name: nodeName, created }] = await ensureNodes(pool, [
    {
      kind: 'machine',
      name,
      reference: `wind-turbine:${input.parentId}:${name}`,
      parentId: input.parentId,
      metadata: { type: 'wind-turbine', turbine: name, source: 'scada-csv', intervalMinutes: 10 },
    },
  ]);
  // The node's id in the tags keeps the keys of series imported before they were per node.
  const tags = { turbine: name, node: id };
  const [power, speed, theoretical, direction] = windResourceDefinitions;
  const column = (field: string, resource: ResourceDefinition, values: Float64Array) =>
    columnOf(scada.time, values, {
      measurement: windSeries.measurement,
      field,
      tags,
      nodeId: id,
      resource,
      resourceIds: resources,
    });
  const series = await writeColumns(
    pool,
    [
      column(windSeries.activePower, power, scada.power),
      column(windSeries.windSpeed, speed, scada.windSpeed),
      column(windSeries.theoreticalPower, theoretical, scada.theoreticalPower),
      column(windSeries.windDirection, direction, scada.windDirection),
    ],
    input.parentId,
    'wind-scada',
  );
  return { turbine: { id, name: nodeName, created }, rows, ...timeRange(scada.time), series };
}
