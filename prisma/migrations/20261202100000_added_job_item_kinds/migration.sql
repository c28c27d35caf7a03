-- Item kinds and a movement origin for the job platform, alone in their migration: a value
-- added to an enum cannot be used in the transaction that adds it.
ALTER TYPE "ItemKind" ADD VALUE IF NOT EXISTS 'alert';
ALTER TYPE "ItemKind" ADD VALUE IF NOT EXISTS 'report';
ALTER TYPE "MovementOrigin" ADD VALUE IF NOT EXISTS 'job';
