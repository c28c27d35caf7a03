-- CreateTable: group commits of the ingest gateway staged under heavy load, until they are
-- settled into chunks (see libs/ingest/src/stage.ts).
CREATE TABLE "ingest_stage" (
    "seq" BIGINT NOT NULL DEFAULT nextval('chunk_seq_seq'),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "points" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "ingest_stage_pkey" PRIMARY KEY ("seq")
);

-- Rules schema.prisma cannot state.
ALTER TABLE "ingest_stage" ALTER COLUMN "data" SET STORAGE EXTERNAL;
-- Rows live for a fraction of a second: vacuum the table often so it never bloats.
ALTER TABLE "ingest_stage" SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
