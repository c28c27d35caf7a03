-- The body of an item too large for its metadata (a trained model), written with the item.
CREATE TABLE "item_content" (
    "item_id" UUID NOT NULL,
    "media_type" VARCHAR(100) NOT NULL,
    "encoding" VARCHAR(20) NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" VARCHAR(64) NOT NULL,
    "data" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "item_content_pkey" PRIMARY KEY ("item_id")
);

ALTER TABLE "item_content" ADD CONSTRAINT "item_content_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "item"("id") ON DELETE CASCADE ON UPDATE CASCADE;
