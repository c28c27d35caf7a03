-- A series is unique per node, no longer across the platform: one organisation's writes can
-- neither reach nor reveal another's series of the same key. Rows and ids stay as they are
-- (a key was unique, so it is unique per node too).
-- Series without a node (written through the library without an owner; no path or import
-- makes them) share one scope of their own, which no organisation's scope includes.
CREATE UNIQUE INDEX "series_node_id_key_key" ON "series"("node_id", "key") NULLS NOT DISTINCT;

DROP INDEX "series_key_key";
