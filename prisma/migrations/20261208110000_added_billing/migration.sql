-- Billing (docs/billing.md): metrics over movements, hourly rollups with a watermark, plans with
-- effective-dated prices, subscriptions, invoices and credit notes, budgets.

-- The transaction that wrote a movement (pg_current_xact_id, as a number). Rollups fold
-- movements by it: every transaction below the oldest one still running is over, so a range
-- of it is complete once folded, whatever order transactions commit in.
ALTER TABLE "movement" ADD COLUMN "tx" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "movement" ALTER COLUMN "tx" SET DEFAULT (pg_current_xact_id())::text::bigint;
CREATE INDEX "movement_tx_idx" ON "movement"("tx");

-- A correction movement names the movement it corrects; only a correction may be negative (it
-- lowers what was moved, and so what is billed).
ALTER TABLE "movement" ADD COLUMN "corrects_id" UUID;
ALTER TABLE "movement" ADD CONSTRAINT "movement_corrects_id_fkey" FOREIGN KEY ("corrects_id") REFERENCES "movement"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "movement" DROP CONSTRAINT "movement_quantity_not_negative_check";
ALTER TABLE "movement" ADD CONSTRAINT "movement_quantity_not_negative_check" CHECK ("quantity" >= 0 OR "corrects_id" IS NOT NULL);

-- Bytes an organisation holds, measured by the worker every hour.
ALTER TYPE "MovementOrigin" ADD VALUE 'metering';

CREATE TYPE "BillingPayer" AS ENUM ('destination', 'source');
CREATE TYPE "BillingAggregation" AS ENUM ('sum', 'count', 'max', 'unique_count', 'latest', 'time_weighted_sum');
CREATE TYPE "BillingUniqueOf" AS ENUM ('item', 'source_node', 'destination_node');
CREATE TYPE "ChargeModel" AS ENUM ('per_unit', 'graduated', 'volume', 'package');
CREATE TYPE "PlanInterval" AS ENUM ('month', 'year');
CREATE TYPE "InvoiceKind" AS ENUM ('invoice', 'credit_note');
CREATE TYPE "InvoiceState" AS ENUM ('draft', 'finalised', 'paid', 'void');
CREATE TYPE "InvoiceLineKind" AS ENUM ('fixed_fee', 'usage', 'adjustment', 'credit');
CREATE TYPE "BudgetKind" AS ENUM ('money', 'quantity');

CREATE TABLE "billable_metric" (
    "id" UUID NOT NULL,
    "code" VARCHAR(80) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "description" VARCHAR(2000) NOT NULL DEFAULT '',
    "unit" VARCHAR(40) NOT NULL,
    "resource_id" UUID,
    "resource_pattern" VARCHAR(120),
    "payer" "BillingPayer" NOT NULL DEFAULT 'destination',
    "origins" "MovementOrigin"[] NOT NULL DEFAULT '{}',
    "path_ids" UUID[] NOT NULL DEFAULT '{}',
    "item_kinds" "ItemKind"[] NOT NULL DEFAULT '{}',
    "aggregation" "BillingAggregation" NOT NULL,
    "unique_of" "BillingUniqueOf",
    "unit_divisor" DECIMAL(30,10) NOT NULL DEFAULT 1,
    "rolled_to" BIGINT NOT NULL DEFAULT 0,
    "rolled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "archived_at" TIMESTAMPTZ(3),

    CONSTRAINT "billable_metric_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "billable_metric_one_selection" CHECK (("resource_id" IS NULL) <> ("resource_pattern" IS NULL)),
    CONSTRAINT "billable_metric_unique_of" CHECK (("aggregation" = 'unique_count') = ("unique_of" IS NOT NULL)),
    CONSTRAINT "billable_metric_divisor" CHECK ("unit_divisor" > 0)
);
CREATE UNIQUE INDEX "billable_metric_code_key" ON "billable_metric"("code");
ALTER TABLE "billable_metric" ADD CONSTRAINT "billable_metric_resource_id_fkey" FOREIGN KEY ("resource_id") REFERENCES "resource"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A metric's selection never changes once made: rollups and invoice lines were computed from it.
CREATE FUNCTION "billable_metric_selection_fixed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.resource_id, NEW.resource_pattern, NEW.payer, NEW.origins, NEW.path_ids, NEW.item_kinds,
      NEW.aggregation, NEW.unique_of, NEW.unit_divisor)
     IS DISTINCT FROM
     (OLD.resource_id, OLD.resource_pattern, OLD.payer, OLD.origins, OLD.path_ids, OLD.item_kinds,
      OLD.aggregation, OLD.unique_of, OLD.unit_divisor) THEN
    RAISE EXCEPTION 'billable metric %: its selection and aggregation never change; make a new metric', OLD.code
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER "billable_metric_selection_fixed" BEFORE UPDATE ON "billable_metric"
  FOR EACH ROW EXECUTE FUNCTION "billable_metric_selection_fixed"();

-- Usage per metric, paying organisation, resource and hour (of the movements' start).
CREATE TABLE "billing_rollup" (
    "metric_id" UUID NOT NULL,
    "organisation_id" UUID NOT NULL,
    "resource_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "quantity" DECIMAL(40,6) NOT NULL,
    "movements" BIGINT NOT NULL,
    "max_quantity" DECIMAL(24,6) NOT NULL,
    "latest_stop" TIMESTAMPTZ(3) NOT NULL,
    "latest_id" UUID NOT NULL,
    "latest_quantity" DECIMAL(24,6) NOT NULL,
    "weighted_ms" DECIMAL(50,6) NOT NULL,

    CONSTRAINT "billing_rollup_pkey" PRIMARY KEY ("metric_id","organisation_id","hour","resource_id")
);
ALTER TABLE "billing_rollup" ADD CONSTRAINT "billing_rollup_metric_id_fkey" FOREIGN KEY ("metric_id") REFERENCES "billable_metric"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The distinct items or nodes seen per hour, for unique counts.
CREATE TABLE "billing_rollup_key" (
    "metric_id" UUID NOT NULL,
    "organisation_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "key" UUID NOT NULL,

    CONSTRAINT "billing_rollup_key_pkey" PRIMARY KEY ("metric_id","organisation_id","hour","key")
);
ALTER TABLE "billing_rollup_key" ADD CONSTRAINT "billing_rollup_key_metric_id_fkey" FOREIGN KEY ("metric_id") REFERENCES "billable_metric"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- What an organisation is billed as: its details on documents, tax rate and grace period.
CREATE TABLE "billing_account" (
    "organisation_id" UUID NOT NULL,
    "legal_name" VARCHAR(200),
    "address" TEXT[] NOT NULL DEFAULT '{}',
    "tax_id" VARCHAR(60),
    "email" VARCHAR(254),
    "tax_rate" DECIMAL(7,6) NOT NULL DEFAULT 0,
    "grace_days" INTEGER NOT NULL DEFAULT 3,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "billing_account_pkey" PRIMARY KEY ("organisation_id"),
    CONSTRAINT "billing_account_tax_rate" CHECK ("tax_rate" >= 0 AND "tax_rate" < 1),
    CONSTRAINT "billing_account_grace_days" CHECK ("grace_days" BETWEEN 0 AND 60)
);
ALTER TABLE "billing_account" ADD CONSTRAINT "billing_account_organisation_id_fkey" FOREIGN KEY ("organisation_id") REFERENCES "node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "plan" (
    "id" UUID NOT NULL,
    "code" VARCHAR(80) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "description" VARCHAR(2000) NOT NULL DEFAULT '',
    "currency" VARCHAR(3) NOT NULL,
    "interval" "PlanInterval" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "archived_at" TIMESTAMPTZ(3),

    CONSTRAINT "plan_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "plan_code_key" ON "plan"("code");

-- Prices from a date on: the plan's own (organisation_id null) or one organisation's override.
CREATE TABLE "plan_version" (
    "id" UUID NOT NULL,
    "plan_id" UUID NOT NULL,
    "organisation_id" UUID,
    "effective_from" TIMESTAMPTZ(3) NOT NULL,
    "fixed_fee" DECIMAL(20,6),
    "note" VARCHAR(500) NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "plan_version_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "plan_version_fixed_fee" CHECK ("fixed_fee" IS NULL OR "fixed_fee" >= 0),
    CONSTRAINT "plan_version_own_fee" CHECK ("organisation_id" IS NOT NULL OR "fixed_fee" IS NOT NULL)
);
CREATE UNIQUE INDEX "plan_version_plan_id_organisation_id_effective_from_key" ON "plan_version"("plan_id", "organisation_id", "effective_from") NULLS NOT DISTINCT;
ALTER TABLE "plan_version" ADD CONSTRAINT "plan_version_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "plan"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "plan_version" ADD CONSTRAINT "plan_version_organisation_id_fkey" FOREIGN KEY ("organisation_id") REFERENCES "node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "plan_charge" (
    "id" UUID NOT NULL,
    "version_id" UUID NOT NULL,
    "metric_id" UUID NOT NULL,
    "model" "ChargeModel" NOT NULL,
    "unit_price" DECIMAL(20,10),
    "tiers" JSONB NOT NULL DEFAULT '[]',
    "package_size" DECIMAL(24,6),
    "package_price" DECIMAL(20,10),
    "included_quantity" DECIMAL(24,6) NOT NULL DEFAULT 0,
    "minimum_amount" DECIMAL(20,6),
    "cap_amount" DECIMAL(20,6),
    "quota" DECIMAL(24,6),

    CONSTRAINT "plan_charge_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "plan_charge_version_id_metric_id_key" ON "plan_charge"("version_id", "metric_id");
ALTER TABLE "plan_charge" ADD CONSTRAINT "plan_charge_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "plan_version"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "plan_charge" ADD CONSTRAINT "plan_charge_metric_id_fkey" FOREIGN KEY ("metric_id") REFERENCES "billable_metric"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- An organisation's plan over [starts_at, ends_at). open_organisation_id is set while no end is
-- known: at most one such subscription per organisation.
CREATE TABLE "subscription" (
    "id" UUID NOT NULL,
    "organisation_id" UUID NOT NULL,
    "open_organisation_id" UUID,
    "plan_id" UUID NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3),
    "anchor_day" INTEGER NOT NULL,
    "anchor_month" INTEGER NOT NULL DEFAULT 1,
    "trial_days" INTEGER NOT NULL DEFAULT 0,
    "previous_id" UUID,
    "cancelled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "subscription_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "subscription_anchor_day" CHECK ("anchor_day" BETWEEN 1 AND 31),
    CONSTRAINT "subscription_anchor_month" CHECK ("anchor_month" BETWEEN 1 AND 12),
    CONSTRAINT "subscription_trial_days" CHECK ("trial_days" BETWEEN 0 AND 366),
    CONSTRAINT "subscription_span" CHECK ("ends_at" IS NULL OR "ends_at" > "starts_at"),
    CONSTRAINT "subscription_open" CHECK ("open_organisation_id" IS NULL OR ("open_organisation_id" = "organisation_id" AND "ends_at" IS NULL))
);
CREATE UNIQUE INDEX "subscription_open_organisation_id_key" ON "subscription"("open_organisation_id");
CREATE INDEX "subscription_organisation_id_starts_at_idx" ON "subscription"("organisation_id", "starts_at");
ALTER TABLE "subscription" ADD CONSTRAINT "subscription_organisation_id_fkey" FOREIGN KEY ("organisation_id") REFERENCES "node"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "subscription" ADD CONSTRAINT "subscription_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "plan"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Invoices and credit notes. document_key makes a billing run idempotent: one invoice per
-- subscription and period, one credit note per correcting invoice and corrected invoice.
CREATE TABLE "invoice" (
    "id" UUID NOT NULL,
    "kind" "InvoiceKind" NOT NULL,
    "document_key" VARCHAR(200) NOT NULL,
    "number" VARCHAR(40),
    "issuer" VARCHAR(40) NOT NULL,
    "state" "InvoiceState" NOT NULL DEFAULT 'draft',
    "organisation_id" UUID NOT NULL,
    "subscription_id" UUID,
    "plan_id" UUID,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "minor_units" INTEGER NOT NULL,
    "subtotal" DECIMAL(20,6) NOT NULL DEFAULT 0,
    "tax_rate" DECIMAL(7,6) NOT NULL DEFAULT 0,
    "tax" DECIMAL(20,6) NOT NULL DEFAULT 0,
    "total" DECIMAL(20,6) NOT NULL DEFAULT 0,
    "issued_at" TIMESTAMPTZ(3),
    "due_at" TIMESTAMPTZ(3),
    "paid_at" TIMESTAMPTZ(3),
    "voided_at" TIMESTAMPTZ(3),
    "void_reason" VARCHAR(500),
    "corrects_id" UUID,
    "issuer_details" JSONB NOT NULL DEFAULT '{}',
    "customer_details" JSONB NOT NULL DEFAULT '{}',
    "pdf" BYTEA,
    "pdf_sha256" VARCHAR(64),
    "refreshed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "invoice_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "invoice_numbered" CHECK (("state" = 'draft') = ("number" IS NULL)),
    CONSTRAINT "invoice_void_reason" CHECK (("state" = 'void') = ("void_reason" IS NOT NULL)),
    CONSTRAINT "invoice_period" CHECK ("period_end" > "period_start")
);
CREATE UNIQUE INDEX "invoice_document_key_key" ON "invoice"("document_key");
CREATE UNIQUE INDEX "invoice_number_key" ON "invoice"("number");
CREATE INDEX "invoice_organisation_id_period_start_idx" ON "invoice"("organisation_id", "period_start");
CREATE INDEX "invoice_issued_at_idx" ON "invoice"("issued_at");
CREATE INDEX "invoice_corrects_id_idx" ON "invoice"("corrects_id");
ALTER TABLE "invoice" ADD CONSTRAINT "invoice_organisation_id_fkey" FOREIGN KEY ("organisation_id") REFERENCES "node"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "invoice" ADD CONSTRAINT "invoice_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "subscription"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "invoice" ADD CONSTRAINT "invoice_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "plan"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "invoice" ADD CONSTRAINT "invoice_corrects_id_fkey" FOREIGN KEY ("corrects_id") REFERENCES "invoice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A line rated from the movements of one metric whose tx is in [tx_from, tx_to) and whose start
-- is in [period_start, period_end), paid by the invoice's organisation.
CREATE TABLE "invoice_line" (
    "id" UUID NOT NULL,
    "invoice_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "kind" "InvoiceLineKind" NOT NULL,
    "metric_id" UUID,
    "description" VARCHAR(300) NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "quantity" DECIMAL(40,6),
    "unit" VARCHAR(40),
    "unit_price" DECIMAL(20,10),
    "amount" DECIMAL(20,6) NOT NULL,
    "tiers" JSONB NOT NULL DEFAULT '[]',
    "terms" JSONB NOT NULL DEFAULT '{}',
    "tx_from" BIGINT,
    "tx_to" BIGINT,
    "adjusts_id" UUID,

    CONSTRAINT "invoice_line_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "invoice_line_invoice_id_position_key" ON "invoice_line"("invoice_id", "position");
CREATE INDEX "invoice_line_metric_id_idx" ON "invoice_line"("metric_id");
ALTER TABLE "invoice_line" ADD CONSTRAINT "invoice_line_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoice"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "invoice_line" ADD CONSTRAINT "invoice_line_metric_id_fkey" FOREIGN KEY ("metric_id") REFERENCES "billable_metric"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "invoice_line" ADD CONSTRAINT "invoice_line_adjusts_id_fkey" FOREIGN KEY ("adjusts_id") REFERENCES "invoice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Nothing finalised is rewritten: a finalised document may only become paid or void (keeping its
-- number, lines, amounts and PDF); its lines never change.
CREATE FUNCTION "invoice_finalised_fixed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.state <> 'draft' THEN
      RAISE EXCEPTION 'invoice % is %: it is never deleted', OLD.number, OLD.state USING ERRCODE = 'check_violation';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.state <> 'draft' AND (
       (NEW.kind, NEW.document_key, NEW.number, NEW.issuer, NEW.organisation_id, NEW.subscription_id, NEW.plan_id,
        NEW.period_start, NEW.period_end, NEW.currency, NEW.minor_units, NEW.subtotal, NEW.tax_rate, NEW.tax,
        NEW.total, NEW.issued_at, NEW.due_at, NEW.corrects_id, NEW.issuer_details, NEW.customer_details,
        NEW.pdf, NEW.pdf_sha256)
       IS DISTINCT FROM
       (OLD.kind, OLD.document_key, OLD.number, OLD.issuer, OLD.organisation_id, OLD.subscription_id, OLD.plan_id,
        OLD.period_start, OLD.period_end, OLD.currency, OLD.minor_units, OLD.subtotal, OLD.tax_rate, OLD.tax,
        OLD.total, OLD.issued_at, OLD.due_at, OLD.corrects_id, OLD.issuer_details, OLD.customer_details,
        OLD.pdf, OLD.pdf_sha256)
       OR (OLD.state = 'void')
       OR (NEW.state = 'draft')
       OR (NEW.paid_at IS DISTINCT FROM OLD.paid_at AND NOT (OLD.state = 'finalised' AND NEW.state = 'paid'))
       OR (NEW.voided_at IS DISTINCT FROM OLD.voided_at AND NEW.state <> 'void')
       OR (NEW.state = 'paid' AND NEW.paid_at IS NULL)
       OR (NEW.state = 'void' AND OLD.state <> 'void' AND NEW.voided_at IS NULL)) THEN
    RAISE EXCEPTION 'invoice % is %: it never changes (corrections are new documents)', OLD.number, OLD.state
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER "invoice_finalised_fixed" BEFORE UPDATE OR DELETE ON "invoice"
  FOR EACH ROW EXECUTE FUNCTION "invoice_finalised_fixed"();

CREATE FUNCTION "invoice_line_finalised_fixed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  state "InvoiceState";
BEGIN
  SELECT i.state INTO state FROM invoice i WHERE i.id = COALESCE(NEW.invoice_id, OLD.invoice_id);
  IF state IS NOT NULL AND state <> 'draft' THEN
    RAISE EXCEPTION 'the lines of a % invoice never change', state USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.invoice_id <> OLD.invoice_id THEN
    RAISE EXCEPTION 'a line never moves to another invoice' USING ERRCODE = 'check_violation';
  END IF;
  RETURN COALESCE(NEW, OLD);
END $$;
CREATE TRIGGER "invoice_line_finalised_fixed" BEFORE INSERT OR UPDATE OR DELETE ON "invoice_line"
  FOR EACH ROW EXECUTE FUNCTION "invoice_line_finalised_fixed"();

-- Gap-free numbers per issuer, kind and year, taken in the finalising transaction.
CREATE TABLE "document_sequence" (
    "issuer" VARCHAR(40) NOT NULL,
    "kind" "InvoiceKind" NOT NULL,
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "document_sequence_pkey" PRIMARY KEY ("issuer","kind","year")
);

CREATE TABLE "billing_budget" (
    "id" UUID NOT NULL,
    "organisation_id" UUID NOT NULL,
    "kind" "BudgetKind" NOT NULL,
    "metric_id" UUID,
    "amount" DECIMAL(24,6) NOT NULL,
    "thresholds" INTEGER[] NOT NULL DEFAULT '{80,100}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "billing_budget_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "billing_budget_metric" CHECK (("kind" = 'quantity') = ("metric_id" IS NOT NULL)),
    CONSTRAINT "billing_budget_amount" CHECK ("amount" > 0)
);
CREATE INDEX "billing_budget_organisation_id_idx" ON "billing_budget"("organisation_id");
ALTER TABLE "billing_budget" ADD CONSTRAINT "billing_budget_organisation_id_fkey" FOREIGN KEY ("organisation_id") REFERENCES "node"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "billing_budget" ADD CONSTRAINT "billing_budget_metric_id_fkey" FOREIGN KEY ("metric_id") REFERENCES "billable_metric"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A threshold of a budget crossed in a period: raised once.
CREATE TABLE "billing_budget_crossing" (
    "budget_id" UUID NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "threshold" INTEGER NOT NULL,
    "used" DECIMAL(24,6) NOT NULL,
    "alert_reference" VARCHAR(120),
    "crossed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "billing_budget_crossing_pkey" PRIMARY KEY ("budget_id","period_start","threshold")
);
ALTER TABLE "billing_budget_crossing" ADD CONSTRAINT "billing_budget_crossing_budget_id_fkey" FOREIGN KEY ("budget_id") REFERENCES "billing_budget"("id") ON DELETE CASCADE ON UPDATE CASCADE;
