-- CreateTable: records with no numeric value (fluentd forward events), listed per path.
CREATE TABLE "ingest_event" (
    "id" UUID NOT NULL,
    "path_id" UUID NOT NULL,
    "tag" TEXT NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL,
    "time_ns" BIGINT NOT NULL,
    "record" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ingest_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ingest_event_path_id_time_idx" ON "ingest_event"("path_id", "time");

-- AddForeignKey
ALTER TABLE "ingest_event" ADD CONSTRAINT "ingest_event_path_id_fkey" FOREIGN KEY ("path_id") REFERENCES "path"("id") ON DELETE CASCADE ON UPDATE CASCADE;
