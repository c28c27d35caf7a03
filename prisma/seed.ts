export { demoApiToken, seedDemoUsers, type DemoUser } from './seed-users';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createPrismaClient, Prisma, PrismaClient } from '@sextant/db';
import { seedDemoBilling } from './seed-billing';
import { seedDemoJobs } from './seed-jobs';
import { seedDemoSeries } from './seed-series';

// Demo data: a believable fleet. ACME Renewables runs a North Sea wind farm (12 turbines,
// turbine T01 replaying the real SCADA gaps of ../shared/data/wind/T1.csv) and a solar plant;
// Skyline Observatory runs a telescope. A month of daily ingest movements per path and resource.

type NodeSpec = {
  reference: string;
  name: string;
  kind: Prisma.NodeCreateManyInput['kind'];
  parent?: string;
  metadata?: object;
};

const day = 86_400_000;
const turbines = Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(2, '0'));
const inverters = Array.from({ length: 8 }, (_, i) => String(i + 1).padStart(2, '0'));

const resources: Prisma.ResourceCreateManyInput[] = [
  {
    reference: 'wind.power.active',
    name: 'Active power',
    unit: 'kW',
    valueType: 'float',
    description: 'LV active power of a turbine',
    unitPrice: '0.000002',
  },
  {
    reference: 'wind.speed',
    name: 'Wind speed',
    unit: 'm/s',
    valueType: 'float',
    description: 'Nacelle anemometer',
    unitPrice: '0.000002',
  },
  {
    reference: 'wind.direction',
    name: 'Wind direction',
    unit: '°',
    valueType: 'float',
    description: 'Nacelle wind vane',
    unitPrice: '0.000002',
  },
  {
    reference: 'wind.power.theoretical',
    name: 'Theoretical power',
    unit: 'kWh',
    valueType: 'float',
    description: 'Power curve value for the measured wind',
    unitPrice: '0.000002',
  },
  {
    reference: 'vibration.rms',
    name: 'Vibration RMS',
    unit: 'mm/s',
    valueType: 'float',
    description: 'Drive-train vibration velocity, RMS',
    unitPrice: '0.000001',
  },
  {
    reference: 'turbine.state',
    name: 'Turbine state',
    unit: '',
    valueType: 'string',
    description: 'Operating state events',
    unitPrice: '0.00001',
  },
  {
    reference: 'solar.power.ac',
    name: 'AC power',
    unit: 'kW',
    valueType: 'float',
    description: 'Inverter AC output',
    unitPrice: '0.000002',
  },
  {
    reference: 'solar.power.dc',
    name: 'DC power',
    unit: 'kW',
    valueType: 'float',
    description: 'Inverter DC input',
    unitPrice: '0.000002',
  },
  {
    reference: 'solar.irradiation',
    name: 'Irradiation',
    unit: 'kW/m²',
    valueType: 'float',
    description: 'Plane-of-array irradiation',
    unitPrice: '0.000002',
  },
  {
    reference: 'solar.temperature.module',
    name: 'Module temperature',
    unit: '°C',
    valueType: 'float',
    unitPrice: '0.000002',
  },
  {
    reference: 'lightcurve.pdcsap_flux',
    name: 'PDCSAP flux',
    unit: 'e-/s',
    valueType: 'float',
    description: 'Pre-search data conditioned flux',
    unitPrice: '0.000005',
  },
];

const nodes: NodeSpec[] = [
  {
    reference: 'sextant',
    name: 'Sextant Cloud',
    kind: 'organisation',
    metadata: { role: 'platform operator' },
  },
  {
    reference: 'acme',
    name: 'ACME Renewables',
    kind: 'organisation',
    metadata: { country: 'DK', billingEmail: 'billing@acme.example' },
  },
  { reference: 'acme.lake', name: 'ACME data lake', kind: 'database', parent: 'acme' },
  {
    reference: 'acme.north',
    name: 'North Sea wind farm',
    kind: 'site',
    parent: 'acme',
    metadata: { lat: 55.52, lon: 7.71, capacityMW: 43.2 },
  },
  ...turbines.map((t) => ({
    reference: `acme.north.t${t}`,
    name: `Turbine T${t}`,
    kind: 'machine' as const,
    parent: 'acme.north',
    metadata: { model: '3.6 MW', hubHeightM: 90, commissioned: '2017-06-01' },
  })),
  {
    reference: 'acme.solar',
    name: 'Gandikota solar plant 1',
    kind: 'site',
    parent: 'acme',
    metadata: { lat: 14.81, lon: 78.29, capacityMW: 25 },
  },
  ...inverters.map((i) => ({
    reference: `acme.solar.inv${i}`,
    name: `Inverter INV${i}`,
    kind: 'machine' as const,
    parent: 'acme.solar',
  })),
  {
    reference: 'acme.solar.weather',
    name: 'Weather station',
    kind: 'sensor_host',
    parent: 'acme.solar',
  },
  { reference: 'acme.ops', name: 'Ana Ortega (operations)', kind: 'person', parent: 'acme' },
  { reference: 'skyline', name: 'Skyline Observatory', kind: 'organisation' },
  { reference: 'skyline.summit', name: 'Summit site', kind: 'site', parent: 'skyline' },
  {
    reference: 'skyline.summit.scope1',
    name: '1.2 m survey telescope',
    kind: 'telescope',
    parent: 'skyline.summit',
  },
  { reference: 'skyline.archive', name: 'Skyline archive', kind: 'database', parent: 'skyline' },
];

interface PathSpec {
  name: string;
  source: string;
  destination: string;
  protocol: Prisma.PathCreateManyInput['protocol'];
  resources: { reference: string; perDay: (dayIndex: number) => number }[];
  settings?: Record<string, unknown>;
}

/** Rows per UTC day of T1.csv (10-minute SCADA, 144 a day when nothing is missing). */
function scadaRowsPerDay(sharedData: string): number[] | null {
  const file = path.join(sharedData, 'wind', 'T1.csv');
  if (!existsSync(file)) return null;
  const counts = new Map<string, number>();
  for (const line of readFileSync(file, 'latin1').split(/\r?\n/).slice(1)) {
    const date = line.slice(0, 10); // "DD MM YYYY"
    if (date.length === 10) counts.set(date, (counts.get(date) ?? 0) + 1);
  }
  return [...counts.values()];
}

// Deterministic noise, so every fresh start shows the same fleet.
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function paths(scada: number[] | null): PathSpec[] {
  const rand = random(7);
  const gaps = () => (rand() < 0.1 ? Math.floor(rand() * 30) : 0);
  const wind = ['wind.power.active', 'wind.speed', 'wind.direction', 'wind.power.theoretical'];
  return [
    ...turbines.map((t) => ({
      name: `T${t} SCADA to ACME lake`,
      source: `acme.north.t${t}`,
      destination: 'acme.lake',
      protocol: 'forward' as const,
      resources: [
        ...wind.map((reference) => ({
          reference,
          // T01 replays the real turbine's daily row counts; the others get random gaps.
          perDay: (d: number) => (t === '01' && scada ? scada[d % scada.length] : 144 - gaps()),
        })),
        { reference: 'vibration.rms', perDay: () => 8640 - gaps() * 60 },
        { reference: 'turbine.state', perDay: () => 2 + Math.floor(rand() * 6) },
      ],
    })),
    ...inverters.map((i) => ({
      name: `INV${i} over MQTT to ACME lake`,
      source: `acme.solar.inv${i}`,
      destination: 'acme.lake',
      protocol: 'mqtt' as const,
      resources: ['solar.power.ac', 'solar.power.dc'].map((reference) => ({
        reference,
        perDay: () => 96 - gaps(),
      })),
      // Topics start with the organisation's reference: its namespace on the shared broker.
      settings: { mqtt: { topics: [`acme/solar/inv${i}/telemetry`], format: 'json', qos: 1 } },
    })),
    {
      name: 'Weather station over HTTP',
      source: 'acme.solar.weather',
      destination: 'acme.lake',
      protocol: 'http' as const,
      resources: ['solar.irradiation', 'solar.temperature.module'].map((reference) => ({
        reference,
        perDay: () => 96 - gaps(),
      })),
    },
    {
      name: 'Survey light curves to archive',
      source: 'skyline.summit.scope1',
      destination: 'skyline.archive',
      protocol: 'file' as const,
      resources: [
        { reference: 'lightcurve.pdcsap_flux', perDay: () => 720 * (5 + Math.floor(rand() * 20)) },
      ],
    },
  ];
}

/** Loads the demo fleet and its sensor series unless they are already there; says what it did. */
export async function seedDemoData(
  databaseUrl: string,
  options: { now?: Date; sharedData?: string; days?: number } = {},
): Promise<string> {
  const prisma = createPrismaClient(databaseUrl, 2);
  try {
    const demoRoot = () => prisma.node.findFirst({ where: { reference: 'acme', parentId: null } });
    const model = (await demoRoot()) ? null : await load(prisma, options);
    // The demo organisation's nodes only: references are unique within an organisation.
    const root = (await demoRoot())!;
    const [nodes, resources] = await Promise.all([
      prisma.node.findMany({
        where: { OR: [{ id: root.id }, { referenceScope: root.id }] },
        select: { id: true, reference: true },
      }),
      prisma.resource.findMany({ select: { id: true, reference: true } }),
    ]);
    const series = await seedDemoSeries(databaseUrl, {
      nodeIds: new Map(nodes.map((n) => [n.reference, n.id])),
      resourceIds: new Map(resources.map((r) => [r.reference, r.id])),
      now: options.now ?? new Date(),
      days: options.days ?? 30,
      sharedData: options.sharedData ?? path.resolve(process.cwd(), '../shared/data'),
    });
    if (!model && series === 'series already loaded') return 'already loaded, nothing added';
    // Jobs come with a freshly loaded model (after the series they read).
    const jobs = model
      ? await seedDemoJobs(
          databaseUrl,
          options.now ?? new Date(),
          options.sharedData ?? path.resolve(process.cwd(), '../shared/data'),
        )
      : null;
    // Billing comes last: it invoices the months of movements loaded before it.
    const billing = model ? await seedDemoBilling(databaseUrl, options.now ?? new Date()) : null;
    return `${model ?? 'model already loaded'}; ${series}${jobs ? `; ${jobs}` : ''}${billing ? `; ${billing}` : ''}`;
  } finally {
    await prisma.$disconnect();
  }
}

async function load(
  prisma: PrismaClient,
  options: { now?: Date; sharedData?: string; days?: number },
): Promise<string> {
  const sharedData = options.sharedData ?? path.resolve(process.cwd(), '../shared/data');
  const days = options.days ?? 30;
  const today = Math.floor((options.now ?? new Date()).getTime() / day) * day;
  const scada = scadaRowsPerDay(sharedData);

  await prisma.resource.createMany({ data: resources, skipDuplicates: true });
  const resourceRows = await prisma.resource.findMany();
  const resourceByRef = new Map(resourceRows.map((r) => [r.reference, r]));

  const nodeIds = new Map<string, string>();
  for (const spec of nodes) {
    const parentId = spec.parent ? nodeIds.get(spec.parent)! : null;
    const node =
      (await prisma.node.findFirst({ where: { reference: spec.reference, parentId } })) ??
      (await prisma.node.create({
        data: {
          reference: spec.reference,
          name: spec.name,
          kind: spec.kind,
          metadata: spec.metadata ?? {},
          parentId,
        },
      }));
    nodeIds.set(spec.reference, node.id);
  }

  const items: Prisma.ItemCreateManyInput[] = [
    ...turbines.map((t, i) => ({
      kind: 'sensor' as const,
      reference: `sensor.vib-${4100 + i}`,
      name: `Vibration sensor VS-${4100 + i}`,
      ownerId: nodeIds.get(`acme.north.t${t}`)!,
      metadata: { serial: `VS-${4100 + i}`, vendor: 'Brüel & Kjær', installed: '2024-03-12' },
    })),
    {
      kind: 'licence',
      reference: 'licence.acme.fleet',
      name: 'Sextant fleet licence',
      ownerId: nodeIds.get('acme')!,
      metadata: { seats: 25 },
    },
    {
      kind: 'data_set',
      reference: 'dataset.t1-scada-2018',
      name: 'T1 SCADA 2018',
      ownerId: nodeIds.get('acme.north.t01')!,
      metadata: { rows: 50530 },
    },
  ];
  await prisma.item.createMany({ data: items, skipDuplicates: true });

  const movements: Prisma.MovementCreateManyInput[] = [];
  let pathCount = 0;
  for (const spec of paths(scada)) {
    const sourceId = nodeIds.get(spec.source)!;
    const destinationId = nodeIds.get(spec.destination)!;
    const existing = await prisma.path.findFirst({ where: { name: spec.name, sourceId } });
    const pathRow =
      existing ??
      (await prisma.path.create({
        data: {
          name: spec.name,
          sourceId,
          destinationId,
          protocol: spec.protocol,
          mapping: { resources: spec.resources.map((r) => r.reference) },
          settings: (spec.settings ?? {}) as Prisma.InputJsonObject,
        },
      }));
    pathCount++;
    for (let d = 0; d < days; d++) {
      const start = new Date(today - (days - d) * day);
      for (const resource of spec.resources) {
        const quantity = resource.perDay(d);
        if (quantity <= 0) continue;
        const resourceRow = resourceByRef.get(resource.reference)!;
        movements.push({
          resourceId: resourceRow.id,
          sourceId,
          destinationId,
          pathId: pathRow.id,
          quantity,
          start,
          stop: new Date(start.getTime() + day),
          unitPrice: resourceRow.unitPrice,
          origin: 'ingest',
          externalId: `demo:${pathRow.id}:${resource.reference}:${start.toISOString().slice(0, 10)}`,
        });
      }
    }
  }
  let inserted = 0;
  for (let i = 0; i < movements.length; i += 1000) {
    inserted += (
      await prisma.movement.createMany({ data: movements.slice(i, i + 1000), skipDuplicates: true })
    ).count;
  }
  return `${nodeIds.size} nodes, ${resourceRows.length} resources, ${pathCount} paths, ${items.length} items, ${inserted} movements over ${days} days${scada ? ' (T01 replays T1.csv)' : ''}`;
}
