-- AlterTable
ALTER TABLE "resource" ADD COLUMN "retention_days" INTEGER;

-- CreateTable
CREATE TABLE "series" (
    "id" BIGSERIAL NOT NULL,
    "key" VARCHAR(1000) NOT NULL,
    "measurement" VARCHAR(200) NOT NULL,
    "tags" JSONB NOT NULL DEFAULT '{}',
    "field" VARCHAR(200) NOT NULL,
    "value_type" "ValueType" NOT NULL,
    "node_id" UUID,
    "resource_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "series_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "chunk" (
    "series_id" BIGINT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "start_time" BIGINT NOT NULL,
    "end_time" BIGINT NOT NULL,
    "count" INTEGER NOT NULL,
    "min" DOUBLE PRECISION,
    "max" DOUBLE PRECISION,
    "sum" DOUBLE PRECISION,
    "sum_sq" DOUBLE PRECISION,
    "first" DOUBLE PRECISION,
    "last" DOUBLE PRECISION,
    "data" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chunk_pkey" PRIMARY KEY ("series_id","seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "series_key_key" ON "series"("key");

-- CreateIndex
CREATE INDEX "series_measurement_idx" ON "series"("measurement");

-- CreateIndex
CREATE INDEX "series_node_id_idx" ON "series"("node_id");

-- CreateIndex
CREATE INDEX "series_resource_id_idx" ON "series"("resource_id");

-- CreateIndex
CREATE INDEX "chunk_series_id_start_time_idx" ON "chunk"("series_id", "start_time");

-- CreateIndex
CREATE INDEX "chunk_series_id_end_time_idx" ON "chunk"("series_id", "end_time");

-- AddForeignKey
ALTER TABLE "series" ADD CONSTRAINT "series_node_id_fkey" FOREIGN KEY ("node_id") REFERENCES "node"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "series" ADD CONSTRAINT "series_resource_id_fkey" FOREIGN KEY ("resource_id") REFERENCES "resource"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chunk" ADD CONSTRAINT "chunk_series_id_fkey" FOREIGN KEY ("series_id") REFERENCES "series"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Rules schema.prisma cannot state.
ALTER TABLE "chunk" ADD CONSTRAINT "chunk_time_range_check" CHECK ("end_time" >= "start_time");
ALTER TABLE "chunk" ADD CONSTRAINT "chunk_count_positive_check" CHECK ("count" > 0);
ALTER TABLE "resource" ADD CONSTRAINT "resource_retention_days_positive_check" CHECK ("retention_days" IS NULL OR "retention_days" > 0);
-- Chunk data is compressed already: skip Postgres's own compression attempt.
ALTER TABLE "chunk" ALTER COLUMN "data" SET STORAGE EXTERNAL;
-- Tag filters (tags @> '{"site":"north"}').
CREATE INDEX "series_tags_idx" ON "series" USING GIN ("tags" jsonb_path_ops);
