-- CreateTable: running counters of a path, summed over all ingest gateways.
CREATE TABLE "ingest_path_status" (
    "path_id" UUID NOT NULL,
    "points" BIGINT NOT NULL DEFAULT 0,
    "rejected_lines" BIGINT NOT NULL DEFAULT 0,
    "last_seen_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ingest_path_status_pkey" PRIMARY KEY ("path_id")
);

-- AddForeignKey
ALTER TABLE "ingest_path_status" ADD CONSTRAINT "ingest_path_status_path_id_fkey" FOREIGN KEY ("path_id") REFERENCES "path"("id") ON DELETE CASCADE ON UPDATE CASCADE;
