-- CreateTable: a managed CDC source, one per path of protocol cdc: where to read (the
-- connection string, encrypted with SEXTANT_SECRET_KEY) and what (tables, slot, publication).
CREATE TABLE "cdc_source" (
    "path_id" UUID NOT NULL,
    "name" VARCHAR(63) NOT NULL,
    "connection_secret" BYTEA NOT NULL,
    "connection_hint" VARCHAR(300) NOT NULL,
    "tables" TEXT[] NOT NULL,
    "keys" JSONB NOT NULL DEFAULT '{}',
    "slot" VARCHAR(63) NOT NULL,
    "publication" VARCHAR(63) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cdc_source_pkey" PRIMARY KEY ("path_id")
);

-- CreateTable: what the process running a source last reported.
CREATE TABLE "cdc_status" (
    "path_id" UUID NOT NULL,
    "state" VARCHAR(20) NOT NULL,
    "confirmed_lsn" VARCHAR(20),
    "source_lsn" VARCHAR(20),
    "lag_bytes" BIGINT,
    "lag_seconds" DOUBLE PRECISION,
    "changes_per_s" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "changes_applied" BIGINT NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(3),
    "next_retry_at" TIMESTAMPTZ(3),
    "paused_reason" TEXT,
    "problems" JSONB NOT NULL DEFAULT '[]',
    "runner" VARCHAR(200),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cdc_status_pkey" PRIMARY KEY ("path_id")
);

-- CreateTable: lag and rate every few seconds, for the portal's chart (kept a day).
CREATE TABLE "cdc_lag_sample" (
    "path_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "lag_bytes" BIGINT,
    "lag_seconds" DOUBLE PRECISION,
    "changes_per_s" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "cdc_lag_sample_pkey" PRIMARY KEY ("path_id","at")
);

-- CreateTable: requests to the process running a source (re-snapshot a table, resume).
CREATE TABLE "cdc_command" (
    "id" UUID NOT NULL,
    "path_id" UUID NOT NULL,
    "kind" VARCHAR(20) NOT NULL,
    "table_name" VARCHAR(200),
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "error" TEXT,

    CONSTRAINT "cdc_command_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "cdc_source_name_key" ON "cdc_source"("name");

-- CreateIndex
CREATE INDEX "cdc_command_path_id_requested_at_idx" ON "cdc_command"("path_id", "requested_at");

-- AddForeignKey
ALTER TABLE "cdc_source" ADD CONSTRAINT "cdc_source_path_id_fkey" FOREIGN KEY ("path_id") REFERENCES "path"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cdc_status" ADD CONSTRAINT "cdc_status_path_id_fkey" FOREIGN KEY ("path_id") REFERENCES "path"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cdc_lag_sample" ADD CONSTRAINT "cdc_lag_sample_path_id_fkey" FOREIGN KEY ("path_id") REFERENCES "path"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cdc_command" ADD CONSTRAINT "cdc_command_path_id_fkey" FOREIGN KEY ("path_id") REFERENCES "path"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Rules schema.prisma cannot state.
ALTER TABLE "cdc_command" ADD CONSTRAINT "cdc_command_kind_check" CHECK ("kind" IN ('resnapshot', 'resume'));
