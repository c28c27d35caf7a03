-- CreateTable: the last change applied per source and stream (a Kafka topic partition or a
-- replication slot), written in the same transaction as the mirrored rows and movements.
CREATE TABLE "cdc_position" (
    "source" VARCHAR(120) NOT NULL,
    "stream" VARCHAR(300) NOT NULL,
    "position" DECIMAL(20,0) NOT NULL,
    "sequence" INTEGER NOT NULL DEFAULT 0,
    "tx_id" BIGINT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cdc_position_pkey" PRIMARY KEY ("source", "stream")
);

-- CreateTable: change messages that could not be decoded or applied, kept for replay.
CREATE TABLE "cdc_dead_letter" (
    "id" UUID NOT NULL,
    "source" VARCHAR(120) NOT NULL,
    "topic" VARCHAR(300),
    "partition" INTEGER,
    "offset" BIGINT,
    "position" TEXT,
    "reason" TEXT NOT NULL,
    "payload" BYTEA,
    "key" BYTEA,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "replayed_at" TIMESTAMPTZ(3),

    CONSTRAINT "cdc_dead_letter_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "cdc_dead_letter_source_created_at_idx" ON "cdc_dead_letter"("source", "created_at");

-- Rules schema.prisma cannot state.
ALTER TABLE "cdc_position" ADD CONSTRAINT "cdc_position_position_not_negative_check" CHECK ("position" >= 0 AND "sequence" >= 0);
