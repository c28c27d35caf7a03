-- AlterTable: per-grain summaries of a chunk's points (see libs/timeseries/src/segments.ts).
ALTER TABLE "chunk" ADD COLUMN "segments" BYTEA;
