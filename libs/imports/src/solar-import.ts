import {
  columnIndex,
  parseCsv,
  parseSolarGeneration,
  parseSolarWeather,
  reconstructInverters,
} from '@sextant/analytics';
import { DomainError } from '@sextant/domain';
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

// Solar plant import, in the layout of the Kaggle "Solar Power Generation Data": the
// generation file becomes a plant node (kind site) under a given node with one machine node
// per inverter, each with DC and AC power and its two yield counters; the weather file becomes
// a sensor node under the same plant (found by the file's PLANT_ID, so either file may come
// first) with irradiation and temperatures. Points are accounted as movements from the
// inverter or sensor to the node imported under. Importing a file again writes nothing new.
//
// Inverters are named by SOURCE_KEY when the file has it; the shared copy has none, so they are
// followed through their TOTAL_YIELD counters (reconstructInverters) and named INV-01… in the
// order of their counters, which gives the same names when the same file comes again.

/** Where solar plant data lives in the store. */
export const solarSeries = {
  generation: 'inverter',
  dcPower: 'dc_power_kw',
  acPower: 'ac_power_kw',
  dailyYield: 'daily_yield_kwh',
  totalYield: 'total_yield_kwh',
  weather: 'weather',
  irradiation: 'irradiation_kw_m2',
  ambientTemperature: 'ambient_temperature_c',
  moduleTemperature: 'module_temperature_c',
} as const;

export const solarResources = {
  dcPower: 'solar.power.dc',
  acPower: 'solar.power.ac',
  dailyYield: 'solar.yield.daily',
  totalYield: 'solar.yield.total',
  irradiation: 'solar.irradiation',
  ambientTemperature: 'solar.temperature.ambient',
  moduleTemperature: 'solar.temperature.module',
} as const;

const generationResources = {
  dcPower: {
    reference: solarResources.dcPower,
    name: 'Inverter DC power',
    unit: 'kW',
    description:
      'DC input power of an inverter as its logger reports it (the solar-performance job checks its unit against AC)',
  },
  acPower: {
    reference: solarResources.acPower,
    name: 'Inverter AC power',
    unit: 'kW',
    description: 'AC output power of an inverter',
  },
  dailyYield: {
    reference: solarResources.dailyYield,
    name: 'Inverter daily yield',
    unit: 'kWh',
    description: "AC energy since the start of the plant's day",
  },
  totalYield: {
    reference: solarResources.totalYield,
    name: 'Inverter total yield',
    unit: 'kWh',
    description: "The inverter's lifetime AC energy counter",
  },
} satisfies Record<string, ResourceDefinition>;

const weatherResources = {
  irradiation: {
    reference: solarResources.irradiation,
    name: 'Irradiation',
    unit: 'kW/m²',
    description: 'Solar irradiation on the plane of the modules over the slot',
  },
  ambientTemperature: {
    reference: solarResources.ambientTemperature,
    name: 'Ambient temperature',
    unit: '°C',
    description: "Air temperature at the plant's weather station",
  },
  moduleTemperature: {
    reference: solarResources.moduleTemperature,
    name: 'Module temperature',
    unit: '°C',
    description: 'Temperature of a reference PV module',
  },
} satisfies Record<string, ResourceDefinition>;

export interface SolarImport {
  /** The CSV text. */
  text: string;
  /** The node the plant goes under (an organisation, a region). */
  parentId: string;
}

export interface ImportedNode {
  id: string;
  name: string;
  /** Whether this import created it. */
  created: boolean;
}

export interface SolarGenerationImportResult {
  plant: ImportedNode;
  /** The file's PLANT_ID. */
  plantId: string;
  rows: number;
  /** First and last slot, ISO 8601 (the plant's local times read as UTC). */
  from: string;
  to: string;
  /** How rows were told apart: SOURCE_KEY, or the TOTAL_YIELD counters (with their evidence). */
  identity: { method: 'source-key' | 'total-yield'; dailyYieldAgreement: number };
  inverters: (ImportedNode & { rows: number; series: ImportedColumn[] })[];
}

export interface SolarWeatherImportResult {
  plant: ImportedNode;
  plantId: string;
  sensor: ImportedNode;
  rows: number;
  from: string;
  to: string;
  series: ImportedColumn[];
}

/** Reads a plant's generation file and writes it under `parentId` (see the file's comment). */
export async function importSolarGeneration(
  pool: Pool,
  input: SolarImport,
): Promise<SolarGenerationImportResult> {
  const gen = parseFile(() => parseSolarGeneration(input.text, { field: 'file' }));
  const identity = parseFile(() => reconstructInverters(gen));
  await requireNode(pool, input.parentId);
  const resources = await ensureResources(pool, Object.values(generationResources));
  const plant = await ensurePlant(pool, input.parentId, gen.plantId);
  const nodes = await ensureNodes(
    pool,
    identity.inverters.map((inv) => ({
      kind: 'machine',
      name: inv.id,
      reference: `solar-inverter:${input.parentId}:${gen.plantId}:${inv.id}`,
      parentId: plant.id,
      metadata: {
        type: 'solar-inverter',
        plantId: gen.plantId,
        inverter: inv.id,
        identifiedBy: identity.method,
      },
    })),
  );
  const columns = identity.inverters.flatMap((inv, k) => {
    const nodeId = nodes[k].id;
    // The node's id in the tags keeps the keys of series imported before they were per node.
    const tags = { plant: gen.plantId, inverter: inv.id, node: nodeId };
    const column = (field: string, resource: ResourceDefinition, values: Float64Array) =>
      columnOf(
        gen.time,
        values,
        {
          measurement: solarSeries.generation,
          field,
          tags,
          nodeId,
          resource,
          resourceIds: resources,
        },
        inv.rows,
      );
    return [
      column(solarSeries.dcPower, generationResources.dcPower, gen.dcPower),
      column(solarSeries.acPower, generationResources.acPower, gen.acPower),
      column(solarSeries.dailyYield, generationResources.dailyYield, gen.dailyYield),
      column(solarSeries.totalYield, generationResources.totalYield, gen.totalYield),
    ];
  });
  const series = await writeColumns(pool, columns, input.parentId, 'solar-generation');
  return {
    plant: { id: plant.id, name: plant.name, created: plant.created },
    plantId: gen.plantId,
    rows: gen.time.length,
    ...timeRange(gen.time),
    identity: { method: identity.method, dailyYieldAgreement: identity.dailyYieldAgreement },
    inverters: identity.inverters.map((inv, k) => ({
      id: nodes[k].id,
      name: nodes[k].name,
      created: nodes[k].created,
      rows: inv.rows.length,
      series: series.slice(4 * k, 4 * k + 4),
    })),
  };
}

/** Reads a plant's weather sensor file and writes it under the plant (see the file's comment). */
export async function importSolarWeather(
  pool: Pool,
  input: SolarImport,
): Promise<SolarWeatherImportResult> {
  const plantId = parseFile(() => firstPlantId(input.text));
  const weather = parseFile(() => parseSolarWeather(input.text, { field: 'file' }));
  if (weather.time.length === 0) throw noRows();
  await requireNode(pool, input.parentId);
  const resources = await ensureResources(pool, Object.values(weatherResources));
  const plant = await ensurePlant(pool, input.parentId, plantId);
  const [sensor] = await ensureNodes(pool, [
    {
      kind: 'sensor',
      name: `Plant ${plantId} weather`,
      reference: `solar-weather:${input.parentId}:${plantId}`,
      parentId: plant.id,
      metadata: { type: 'solar-weather-sensor', plantId },
    },
  ]);
  const tags = { plant: plantId, node: sensor.id };
  const column = (field: string, resource: ResourceDefinition, values: Float64Array) =>
    columnOf(weather.time, values, {
      measurement: solarSeries.weather,
      field,
      tags,
      nodeId: sensor.id,
      resource,
      resourceIds: resources,
    });
  const series = await writeColumns(
    pool,
    [
      column(solarSeries.irradiation, weatherResources.irradiation, weather.irradiation),
      column(
        solarSeries.ambientTemperature,
        weatherResources.ambientTemperature,
        weather.ambientTemperature,
      ),
      column(
        solarSeries.moduleTemperature,
        weatherResources.moduleTemperature,
        weather.moduleTemperature,
      ),
    ],
    input.parentId,
    'solar-weather',
  );
  return {
    plant: { id: plant.id, name: plant.name, created: plant.created },
    plantId,
    sensor: { id: sensor.id, name: sensor.name, created: sensor.created },
    rows: weather.time.length,
    ...timeRange(weather.time),
    series,
  };
}

/** The plant under the parent with the file's PLANT_ID, created when missing. */
async function ensurePlant(
  pool: Pool,
  parentId: string,
  plantId: string,
): Promise<{ id: string; name: string; created: boolean }> {
  const [plant] = await ensureNodes(pool, [
    {
      kind: 'site',
      name: `Solar plant ${plantId}`,
      reference: `solar-plant:${parentId}:${plantId}`,
      parentId,
      metadata: { type: 'solar-plant', plantId },
    },
  ]);
  return plant;
}

/** PLANT_ID of the first data row (the weather parser does not keep it). */
function firstPlantId(text: string): string {
  // The header and the first row are enough.
  let end = -1;
  for (let line = 0; line < 2; line++) {
    end = text.indexOf('\n', end + 1);
    if (end < 0) break;
  }
  const table = parseCsv(end < 0 ? text : text.slice(0, end), { field: 'file' });
  const column = columnIndex(table, 'PLANT_ID', 'file');
  if (table.rows.length === 0) throw noRows();
  const plantId = table.rows[0][column].trim();
  if (!plantId) {
    throw DomainError.validation([
      { field: 'file', reason: `no PLANT_ID (line ${table.lines[0]}, column PLANT_ID)` },
    ]);
  }
  return plantId;
}
