-- The job platform (libs/jobs): runs, their tasks, logs, cron schedules, worker processes and
-- lineage; alerts and maintenance orders; remaining-life estimates. The queue itself is
-- pg-boss's, in schema pgboss, which pg-boss creates and migrates at start-up.

-- CreateEnum
CREATE TYPE "JobRunState" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled');
CREATE TYPE "JobTaskState" AS ENUM ('pending', 'queued', 'running', 'succeeded', 'failed', 'cancelled');
CREATE TYPE "JobLogLevel" AS ENUM ('debug', 'info', 'warn', 'error');
CREATE TYPE "JobScheduleState" AS ENUM ('active', 'paused');
CREATE TYPE "JobLineageKind" AS ENUM ('read', 'produced');
CREATE TYPE "MaintenanceState" AS ENUM ('open', 'planned', 'done');
CREATE TYPE "MaintenancePriority" AS ENUM ('low', 'medium', 'high', 'critical');

-- CreateTable
CREATE TABLE "job_schedule" (
    "id" UUID NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "type" VARCHAR(100) NOT NULL,
    "params" JSONB NOT NULL DEFAULT '{}',
    "cron" VARCHAR(120) NOT NULL,
    "timezone" VARCHAR(64) NOT NULL DEFAULT 'UTC',
    "state" "JobScheduleState" NOT NULL DEFAULT 'active',
    "priority" INTEGER NOT NULL DEFAULT 0,
    "owner_id" UUID NOT NULL,
    "next_run_at" TIMESTAMPTZ(3) NOT NULL,
    "last_run_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_schedule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_run" (
    "id" UUID NOT NULL,
    "type" VARCHAR(100) NOT NULL,
    "params" JSONB NOT NULL DEFAULT '{}',
    "options" JSONB NOT NULL DEFAULT '{}',
    "state" "JobRunState" NOT NULL DEFAULT 'queued',
    "priority" INTEGER NOT NULL DEFAULT 0,
    "owner_id" UUID NOT NULL,
    "schedule_id" UUID,
    "scheduled_for" TIMESTAMPTZ(3),
    "result" JSONB,
    "error" TEXT,
    "retries" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_worker" (
    "id" UUID NOT NULL,
    "host" VARCHAR(200) NOT NULL,
    "pid" INTEGER NOT NULL,
    "concurrency" INTEGER NOT NULL,
    "types" TEXT[] NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stopped_at" TIMESTAMPTZ(3),
    "stop_reason" VARCHAR(200),

    CONSTRAINT "job_worker_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_task" (
    "id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "step" VARCHAR(100) NOT NULL,
    "key" VARCHAR(200) NOT NULL,
    "position" INTEGER,
    "parent_id" UUID,
    "depends_on" TEXT[] NOT NULL,
    "input" JSONB,
    "state" "JobTaskState" NOT NULL DEFAULT 'pending',
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "attempt_limit" INTEGER NOT NULL,
    "timeout_seconds" INTEGER NOT NULL,
    "backoff_seconds" INTEGER NOT NULL,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "message" VARCHAR(500),
    "result" JSONB,
    "error" TEXT,
    "queue_job_id" UUID,
    "worker_id" UUID,
    "run_after" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_log" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "task_id" UUID,
    "attempt" INTEGER,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "level" "JobLogLevel" NOT NULL,
    "message" TEXT NOT NULL,
    "data" JSONB,
    "worker" VARCHAR(200),

    CONSTRAINT "job_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_lineage" (
    "id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "task_id" UUID NOT NULL,
    "kind" "JobLineageKind" NOT NULL,
    "series_id" BIGINT,
    "item_id" UUID,
    "movement_id" UUID,
    "start" TIMESTAMPTZ(3),
    "stop" TIMESTAMPTZ(3),
    "quantity" DECIMAL(24,6) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_lineage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "maintenance_ticket" (
    "item_id" UUID NOT NULL,
    "state" "MaintenanceState" NOT NULL DEFAULT 'open',
    "priority" "MaintenancePriority" NOT NULL DEFAULT 'medium',
    "description" VARCHAR(4000) NOT NULL DEFAULT '',
    "failure_from" TIMESTAMPTZ(3),
    "failure_to" TIMESTAMPTZ(3),
    "planned_for" TIMESTAMPTZ(3),
    "done_at" TIMESTAMPTZ(3),
    "alert_id" UUID,
    "dedupe_key" VARCHAR(200),
    "run_id" UUID,
    "task_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "maintenance_ticket_pkey" PRIMARY KEY ("item_id")
);

-- CreateTable
CREATE TABLE "remaining_life_estimate" (
    "id" UUID NOT NULL,
    "node_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "remaining" DOUBLE PRECISION NOT NULL,
    "lower" DOUBLE PRECISION,
    "upper" DOUBLE PRECISION,
    "unit" VARCHAR(20) NOT NULL,
    "health" DOUBLE PRECISION,
    "model_item_id" UUID,
    "run_id" UUID,
    "task_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "remaining_life_estimate_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "job_schedule_state_next_run_at_idx" ON "job_schedule"("state", "next_run_at");
CREATE INDEX "job_schedule_owner_id_idx" ON "job_schedule"("owner_id");
CREATE UNIQUE INDEX "job_run_schedule_id_scheduled_for_key" ON "job_run"("schedule_id", "scheduled_for");
CREATE INDEX "job_run_created_at_id_idx" ON "job_run"("created_at", "id");
CREATE INDEX "job_run_state_created_at_idx" ON "job_run"("state", "created_at");
CREATE INDEX "job_run_owner_id_idx" ON "job_run"("owner_id");
CREATE INDEX "job_run_type_created_at_idx" ON "job_run"("type", "created_at");
CREATE INDEX "job_worker_heartbeat_at_idx" ON "job_worker"("heartbeat_at");
CREATE UNIQUE INDEX "job_task_run_id_key_key" ON "job_task"("run_id", "key");
-- Readiness (are a step's tasks all done?) and the end of a run are index lookups, so that
-- each completion costs the same however wide the fan-out.
CREATE INDEX "job_task_run_id_step_state_idx" ON "job_task"("run_id", "step", "state");
CREATE INDEX "job_task_run_id_state_idx" ON "job_task"("run_id", "state");
CREATE INDEX "job_task_state_idx" ON "job_task"("state");
CREATE INDEX "job_task_parent_id_idx" ON "job_task"("parent_id");
CREATE INDEX "job_task_worker_id_idx" ON "job_task"("worker_id");
CREATE INDEX "job_log_run_id_id_idx" ON "job_log"("run_id", "id");
CREATE INDEX "job_log_task_id_id_idx" ON "job_log"("task_id", "id");
CREATE INDEX "job_lineage_run_id_idx" ON "job_lineage"("run_id");
CREATE INDEX "job_lineage_task_id_idx" ON "job_lineage"("task_id");
CREATE INDEX "job_lineage_series_id_idx" ON "job_lineage"("series_id");
CREATE INDEX "job_lineage_item_id_idx" ON "job_lineage"("item_id");
CREATE INDEX "job_lineage_movement_id_idx" ON "job_lineage"("movement_id");
CREATE INDEX "maintenance_ticket_state_priority_idx" ON "maintenance_ticket"("state", "priority");
CREATE INDEX "maintenance_ticket_alert_id_idx" ON "maintenance_ticket"("alert_id");
CREATE INDEX "maintenance_ticket_run_id_idx" ON "maintenance_ticket"("run_id");
CREATE INDEX "maintenance_ticket_task_id_idx" ON "maintenance_ticket"("task_id");
CREATE UNIQUE INDEX "remaining_life_estimate_task_id_node_id_key" ON "remaining_life_estimate"("task_id", "node_id");
CREATE INDEX "remaining_life_estimate_node_id_at_idx" ON "remaining_life_estimate"("node_id", "at");
CREATE INDEX "remaining_life_estimate_model_item_id_idx" ON "remaining_life_estimate"("model_item_id");
CREATE INDEX "remaining_life_estimate_run_id_idx" ON "remaining_life_estimate"("run_id");

-- AddForeignKey
ALTER TABLE "job_schedule" ADD CONSTRAINT "job_schedule_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "node"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "job_run" ADD CONSTRAINT "job_run_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "node"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "job_run" ADD CONSTRAINT "job_run_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "job_schedule"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "job_task" ADD CONSTRAINT "job_task_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "job_run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "job_task" ADD CONSTRAINT "job_task_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "job_task"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "job_task" ADD CONSTRAINT "job_task_worker_id_fkey" FOREIGN KEY ("worker_id") REFERENCES "job_worker"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "job_log" ADD CONSTRAINT "job_log_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "job_run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "job_log" ADD CONSTRAINT "job_log_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "job_task"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "job_lineage" ADD CONSTRAINT "job_lineage_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "job_run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "job_lineage" ADD CONSTRAINT "job_lineage_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "job_task"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "job_lineage" ADD CONSTRAINT "job_lineage_series_id_fkey" FOREIGN KEY ("series_id") REFERENCES "series"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "job_lineage" ADD CONSTRAINT "job_lineage_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "item"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "job_lineage" ADD CONSTRAINT "job_lineage_movement_id_fkey" FOREIGN KEY ("movement_id") REFERENCES "movement"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "maintenance_ticket" ADD CONSTRAINT "maintenance_ticket_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "item"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "maintenance_ticket" ADD CONSTRAINT "maintenance_ticket_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "item"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "maintenance_ticket" ADD CONSTRAINT "maintenance_ticket_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "job_run"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "maintenance_ticket" ADD CONSTRAINT "maintenance_ticket_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "job_task"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "remaining_life_estimate" ADD CONSTRAINT "remaining_life_estimate_node_id_fkey" FOREIGN KEY ("node_id") REFERENCES "node"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "remaining_life_estimate" ADD CONSTRAINT "remaining_life_estimate_model_item_id_fkey" FOREIGN KEY ("model_item_id") REFERENCES "item"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "remaining_life_estimate" ADD CONSTRAINT "remaining_life_estimate_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "job_run"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "remaining_life_estimate" ADD CONSTRAINT "remaining_life_estimate_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "job_task"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Rules that schema.prisma cannot state.
ALTER TABLE "job_task" ADD CONSTRAINT "job_task_progress_check" CHECK ("progress" >= 0 AND "progress" <= 100);
ALTER TABLE "job_task" ADD CONSTRAINT "job_task_attempt_check" CHECK ("attempt" >= 0 AND "attempt_limit" >= 1);
ALTER TABLE "maintenance_ticket" ADD CONSTRAINT "maintenance_ticket_window_check" CHECK ("failure_to" IS NULL OR "failure_from" IS NULL OR "failure_to" >= "failure_from");
