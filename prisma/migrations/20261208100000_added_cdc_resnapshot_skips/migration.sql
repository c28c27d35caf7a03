-- CreateTable: tables re-read (resnapshot) at a position of a source's stream; their changes in
-- transactions ending at or before it are in the mirror already and are left out when streamed,
-- also after a restart. Written in the snapshot's transaction, deleted once the stream's stored
-- position (cdc_position) is past it.
CREATE TABLE "cdc_resnapshot_skip" (
    "source" VARCHAR(120) NOT NULL,
    "stream" VARCHAR(300) NOT NULL,
    "table_name" VARCHAR(200) NOT NULL,
    "position" DECIMAL(20,0) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cdc_resnapshot_skip_pkey" PRIMARY KEY ("source", "stream", "table_name")
);

-- Rules schema.prisma cannot state.
ALTER TABLE "cdc_resnapshot_skip" ADD CONSTRAINT "cdc_resnapshot_skip_position_not_negative_check" CHECK ("position" >= 0);
