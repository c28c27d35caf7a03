-- References of nodes and items are unique within their organisation, not across the
-- platform: an organisation can neither learn nor squat another's names. reference_scope is
-- the root node of the tree a row belongs to; organisations themselves (roots) share the nil
-- UUID, so their references, the MQTT topic namespaces, stay unique platform-wide.
-- Triggers keep it right on every insert and move, whoever writes the row.

ALTER TABLE "node" ADD COLUMN "reference_scope" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE "item" ADD COLUMN "reference_scope" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';

WITH RECURSIVE "tree" AS (
  SELECT "id", "id" AS "root" FROM "node" WHERE "parent_id" IS NULL
  UNION ALL
  SELECT n."id", t."root" FROM "node" n JOIN "tree" t ON n."parent_id" = t."id"
)
UPDATE "node" SET "reference_scope" = t."root"
  FROM "tree" t WHERE "node"."id" = t."id" AND "node"."parent_id" IS NOT NULL;

UPDATE "item" i SET "reference_scope" = CASE WHEN o."parent_id" IS NULL THEN o."id" ELSE o."reference_scope" END
  FROM "node" o WHERE o."id" = i."owner_id";

DROP INDEX "node_reference_key";
CREATE UNIQUE INDEX "node_reference_scope_reference_key" ON "node"("reference_scope", "reference");
DROP INDEX "item_reference_key";
CREATE UNIQUE INDEX "item_reference_scope_reference_key" ON "item"("reference_scope", "reference");

-- The root of a node's tree (its organisation): the scope its children and items take.
CREATE FUNCTION "node_root"("node_id" UUID) RETURNS UUID LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN "parent_id" IS NULL THEN "id" ELSE "reference_scope" END FROM "node" WHERE "id" = "node_id"
$$;

CREATE FUNCTION "node_set_reference_scope"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."reference_scope" := CASE
    WHEN NEW."parent_id" IS NULL THEN '00000000-0000-0000-0000-000000000000'::uuid
    -- A missing parent keeps the default: the foreign key then refuses the row.
    ELSE coalesce("node_root"(NEW."parent_id"), NEW."reference_scope")
  END;
  RETURN NEW;
END $$;

CREATE TRIGGER "node_reference_scope"
  BEFORE INSERT OR UPDATE OF "parent_id" ON "node"
  FOR EACH ROW EXECUTE FUNCTION "node_set_reference_scope"();

-- A moved node carries its subtree and their items into the new scope (level by level: each
-- child's update fires this again for its own children).
CREATE FUNCTION "node_move_reference_scope"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  below UUID := CASE WHEN NEW."parent_id" IS NULL THEN NEW."id" ELSE NEW."reference_scope" END;
BEGIN
  IF NEW."reference_scope" IS DISTINCT FROM OLD."reference_scope"
     OR NEW."parent_id" IS DISTINCT FROM OLD."parent_id" THEN
    UPDATE "node" SET "reference_scope" = below
     WHERE "parent_id" = NEW."id" AND "reference_scope" IS DISTINCT FROM below;
    UPDATE "item" SET "reference_scope" = below
     WHERE "owner_id" = NEW."id" AND "reference_scope" IS DISTINCT FROM below;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "node_reference_scope_moved"
  AFTER UPDATE OF "parent_id", "reference_scope" ON "node"
  FOR EACH ROW EXECUTE FUNCTION "node_move_reference_scope"();

CREATE FUNCTION "item_set_reference_scope"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."reference_scope" := coalesce("node_root"(NEW."owner_id"), NEW."reference_scope");
  RETURN NEW;
END $$;

CREATE TRIGGER "item_reference_scope"
  BEFORE INSERT OR UPDATE OF "owner_id" ON "item"
  FOR EACH ROW EXECUTE FUNCTION "item_set_reference_scope"();
