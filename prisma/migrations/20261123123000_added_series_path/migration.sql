-- AlterTable: the path a series was first written through (series-count quotas per path).
ALTER TABLE "series" ADD COLUMN "path_id" UUID;

-- CreateIndex
CREATE INDEX "series_path_id_idx" ON "series"("path_id");

-- AddForeignKey
ALTER TABLE "series" ADD CONSTRAINT "series_path_id_fkey" FOREIGN KEY ("path_id") REFERENCES "path"("id") ON DELETE SET NULL ON UPDATE CASCADE;
