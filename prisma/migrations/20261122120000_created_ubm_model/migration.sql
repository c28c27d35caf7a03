-- CreateEnum
CREATE TYPE "NodeKind" AS ENUM ('organisation', 'site', 'machine', 'sensor_host', 'sensor', 'database', 'person', 'telescope', 'vehicle', 'star', 'other');

-- CreateEnum
CREATE TYPE "ValueType" AS ENUM ('float', 'integer', 'unsigned', 'boolean', 'string');

-- CreateEnum
CREATE TYPE "PathProtocol" AS ENUM ('line', 'forward', 'http', 'mqtt', 'cdc', 'file');

-- CreateEnum
CREATE TYPE "PathState" AS ENUM ('active', 'paused', 'revoked');

-- CreateEnum
CREATE TYPE "ItemKind" AS ENUM ('sensor', 'data_set', 'licence', 'model', 'candidate', 'maintenance_order', 'other');

-- CreateEnum
CREATE TYPE "MovementOrigin" AS ENUM ('ingest', 'cdc', 'analysis', 'manual');

-- CreateTable
CREATE TABLE "node" (
    "id" UUID NOT NULL,
    "parent_id" UUID,
    "kind" "NodeKind" NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "reference" VARCHAR(120) NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "node_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "resource" (
    "id" UUID NOT NULL,
    "reference" VARCHAR(120) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "unit" VARCHAR(40) NOT NULL,
    "value_type" "ValueType" NOT NULL,
    "description" VARCHAR(2000) NOT NULL DEFAULT '',
    "unit_price" DECIMAL(20,10),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "resource_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "path" (
    "id" UUID NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "source_id" UUID NOT NULL,
    "destination_id" UUID NOT NULL,
    "protocol" "PathProtocol" NOT NULL,
    "state" "PathState" NOT NULL DEFAULT 'active',
    "mapping" JSONB NOT NULL DEFAULT '{}',
    "settings" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "path_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "item" (
    "id" UUID NOT NULL,
    "kind" "ItemKind" NOT NULL,
    "reference" VARCHAR(120) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "owner_id" UUID NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "item_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "movement" (
    "id" UUID NOT NULL,
    "resource_id" UUID NOT NULL,
    "source_id" UUID NOT NULL,
    "destination_id" UUID NOT NULL,
    "item_id" UUID,
    "path_id" UUID,
    "quantity" DECIMAL(24,6) NOT NULL,
    "start" TIMESTAMPTZ(3) NOT NULL,
    "stop" TIMESTAMPTZ(3) NOT NULL,
    "unit_price" DECIMAL(20,10),
    "origin" "MovementOrigin" NOT NULL,
    "external_id" VARCHAR(200),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "movement_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "node_reference_key" ON "node"("reference");

-- CreateIndex
CREATE INDEX "node_parent_id_idx" ON "node"("parent_id");

-- CreateIndex
CREATE INDEX "node_kind_idx" ON "node"("kind");

-- CreateIndex
CREATE UNIQUE INDEX "resource_reference_key" ON "resource"("reference");

-- CreateIndex
CREATE INDEX "path_source_id_idx" ON "path"("source_id");

-- CreateIndex
CREATE INDEX "path_destination_id_idx" ON "path"("destination_id");

-- CreateIndex
CREATE UNIQUE INDEX "item_reference_key" ON "item"("reference");

-- CreateIndex
CREATE INDEX "item_owner_id_idx" ON "item"("owner_id");

-- CreateIndex
CREATE INDEX "movement_destination_id_start_idx" ON "movement"("destination_id", "start");

-- CreateIndex
CREATE INDEX "movement_source_id_start_idx" ON "movement"("source_id", "start");

-- CreateIndex
CREATE INDEX "movement_path_id_start_idx" ON "movement"("path_id", "start");

-- CreateIndex
CREATE INDEX "movement_resource_id_start_idx" ON "movement"("resource_id", "start");

-- CreateIndex
CREATE INDEX "movement_start_id_idx" ON "movement"("start", "id");

-- CreateIndex
CREATE UNIQUE INDEX "movement_origin_external_id_key" ON "movement"("origin", "external_id");

-- AddForeignKey
ALTER TABLE "node" ADD CONSTRAINT "node_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "node"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "path" ADD CONSTRAINT "path_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "node"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "path" ADD CONSTRAINT "path_destination_id_fkey" FOREIGN KEY ("destination_id") REFERENCES "node"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "item" ADD CONSTRAINT "item_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "node"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "movement" ADD CONSTRAINT "movement_resource_id_fkey" FOREIGN KEY ("resource_id") REFERENCES "resource"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "movement" ADD CONSTRAINT "movement_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "node"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "movement" ADD CONSTRAINT "movement_destination_id_fkey" FOREIGN KEY ("destination_id") REFERENCES "node"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "movement" ADD CONSTRAINT "movement_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "item"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "movement" ADD CONSTRAINT "movement_path_id_fkey" FOREIGN KEY ("path_id") REFERENCES "path"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Rules that schema.prisma cannot state: checks, the acyclic node tree, immutable movements.

ALTER TABLE "node" ADD CONSTRAINT "node_not_own_parent_check" CHECK ("parent_id" IS NULL OR "parent_id" <> "id");
ALTER TABLE "path" ADD CONSTRAINT "path_source_not_destination_check" CHECK ("source_id" <> "destination_id");
ALTER TABLE "movement" ADD CONSTRAINT "movement_stop_after_start_check" CHECK ("stop" >= "start");
ALTER TABLE "movement" ADD CONSTRAINT "movement_quantity_not_negative_check" CHECK ("quantity" >= 0);
ALTER TABLE "movement" ADD CONSTRAINT "movement_unit_price_not_negative_check" CHECK ("unit_price" IS NULL OR "unit_price" >= 0);
ALTER TABLE "resource" ADD CONSTRAINT "resource_unit_price_not_negative_check" CHECK ("unit_price" IS NULL OR "unit_price" >= 0);

-- A node may not become its own ancestor. Walks up from the new parent; the tree is shallow.
CREATE FUNCTION "node_reject_cycle"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cursor_id UUID := NEW."parent_id";
  depth INT := 0;
BEGIN
  WHILE cursor_id IS NOT NULL LOOP
    IF cursor_id = NEW."id" THEN
      RAISE EXCEPTION 'node % would become its own ancestor', NEW."id"
        USING ERRCODE = '23514', CONSTRAINT = 'node_tree_acyclic';
    END IF;
    depth := depth + 1;
    IF depth > 1000 THEN
      RAISE EXCEPTION 'node tree deeper than 1000 levels' USING ERRCODE = '23514', CONSTRAINT = 'node_tree_acyclic';
    END IF;
    SELECT "parent_id" INTO cursor_id FROM "node" WHERE "id" = cursor_id;
  END LOOP;
  RETURN NEW;
END;
$$;

CREATE TRIGGER "node_tree_acyclic"
  BEFORE INSERT OR UPDATE OF "parent_id" ON "node"
  FOR EACH ROW WHEN (NEW."parent_id" IS NOT NULL)
  EXECUTE FUNCTION "node_reject_cycle"();

-- Movements are accounting entries: a correction is a new movement, never an edit.
CREATE FUNCTION "movement_reject_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'movements are immutable; record a correcting movement instead'
    USING ERRCODE = '55000', CONSTRAINT = 'movement_immutable';
END;
$$;

CREATE TRIGGER "movement_immutable"
  BEFORE UPDATE OR DELETE ON "movement"
  FOR EACH ROW EXECUTE FUNCTION "movement_reject_change"();
