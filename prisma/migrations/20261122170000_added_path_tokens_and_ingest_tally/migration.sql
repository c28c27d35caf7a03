-- CreateTable
CREATE TABLE "path_token" (
    "id" UUID NOT NULL,
    "path_id" UUID NOT NULL,
    "name" VARCHAR(120) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "path_token_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ingest_tally" (
    "id" UUID NOT NULL,
    "path_id" UUID NOT NULL,
    "resource_id" UUID NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "points" BIGINT NOT NULL,
    "first_time" TIMESTAMPTZ(3) NOT NULL,
    "last_time" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ingest_tally_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "path_token_token_hash_key" ON "path_token"("token_hash");

-- CreateIndex
CREATE INDEX "path_token_path_id_idx" ON "path_token"("path_id");

-- CreateIndex
CREATE UNIQUE INDEX "ingest_tally_path_id_resource_id_minute_key" ON "ingest_tally"("path_id", "resource_id", "minute");

-- AddForeignKey
ALTER TABLE "path_token" ADD CONSTRAINT "path_token_path_id_fkey" FOREIGN KEY ("path_id") REFERENCES "path"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ingest_tally" ADD CONSTRAINT "ingest_tally_path_id_fkey" FOREIGN KEY ("path_id") REFERENCES "path"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ingest_tally" ADD CONSTRAINT "ingest_tally_resource_id_fkey" FOREIGN KEY ("resource_id") REFERENCES "resource"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Rules schema.prisma cannot state.
ALTER TABLE "ingest_tally" ADD CONSTRAINT "ingest_tally_points_positive_check" CHECK ("points" > 0);
ALTER TABLE "ingest_tally" ADD CONSTRAINT "ingest_tally_window_check" CHECK ("last_time" >= "first_time");

-- The resource that points are accounted as when a path maps a field to no other.
INSERT INTO "resource" ("id", "reference", "name", "unit", "value_type", "description", "created_at", "updated_at")
VALUES (gen_random_uuid(), 'ingest.points', 'Points', 'points', 'float', 'Points written through a path that maps them to no other resource', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
ON CONFLICT ("reference") DO NOTHING;
