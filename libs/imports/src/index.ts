// The file importers of the API and the demo data: wind SCADA, solar plant data, C-MAPSS
// engine runs and light curves, each through one writer (import-writer.ts).
export * from './import-writer';
export * from './import-columns';
export * from './cmapss-import';
export * from './wind-import';
export * from './solar-import';
export * from './lightcurve-import';
