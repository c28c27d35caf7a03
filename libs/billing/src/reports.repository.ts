import { DomainError } from '@sextant/domain';
import type { CurrencyReport, MonthlyReport, Party, ReportRow } from './documents';
import { allocate, Money, type Dec } from './money';
import type { Queryable } from './usage.repository';

// The platform operator's monthly report: what was invoiced and credited in a month, per
// currency, by organisation, by metric and by resource, beside the previous month. Built from
// the finalised (or paid) documents issued in the month; void ones are left out. Every
// breakdown sums exactly to the month's net (invoices' subtotals minus credit notes').

interface DocumentRow {
  id: string;
  kind: 'invoice' | 'credit_note';
  state: 'finalised' | 'paid';
  currency: string;
  minor_units: number;
  subtotal: string;
  organisation_id: string;
  organisation_reference: string;
  organisation_name: string;
  previous: boolean;
}

interface LineRow {
  invoice_id: string;
  kind: 'fixed_fee' | 'usage' | 'adjustment' | 'credit';
  metric_code: string | null;
  metric_name: string | null;
  amount: string;
  resources: { resourceId: string; quantity: string }[] | null;
}

const fixedFees = { key: 'fixed-fees', label: 'Fixed fees' };
const corrections = { key: 'corrections', label: 'Adjustments and credits' };
const unattributed = { key: 'unattributed', label: 'Usage of no resource' };

/** Net amounts of one month and the previous one per key, with a label per key. */
class Tally {
  readonly labels = new Map<string, string>();
  readonly net = new Map<string, Dec>();
  readonly previous = new Map<string, Dec>();

  add(key: string, label: string, amount: Dec, previous: boolean): void {
    if (!this.labels.has(key) || !previous) this.labels.set(key, label);
    const into = previous ? this.previous : this.net;
    into.set(key, (into.get(key) ?? new Money(0)).plus(amount));
  }

  rows(digits: number): ReportRow[] {
    return [...this.labels.keys()].sort().map((key) => ({
      key,
      label: this.labels.get(key)!,
      net: (this.net.get(key) ?? new Money(0)).toFixed(digits),
      previousNet: (this.previous.get(key) ?? new Money(0)).toFixed(digits),
    }));
  }
}

/** The first instant of a YYYY-MM month (UTC); a bad month is a 400 naming `month`. */
export function monthStart(month: string): Date {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!match) throw DomainError.validation([{ field: 'month', reason: 'must be YYYY-MM' }]);
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
}

/** The monthly billing report of `month` (YYYY-MM), from the documents issued in it. */
export async function monthlyReport(
  db: Queryable,
  input: { month: string; issuer: Party; generatedAt?: Date },
): Promise<MonthlyReport> {
  const start = monthStart(input.month);
  const previousStart = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - 1, 1));
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  const { rows: documents } = await db.query<DocumentRow>(
    `SELECT i.id, i.kind, i.state, i.currency, i.minor_units, i.subtotal::text,
            i.organisation_id, n.reference AS organisation_reference,
            COALESCE(i.customer_details->>'name', n.name) AS organisation_name,
            i.issued_at < $2 AS previous
       FROM invoice i JOIN node n ON n.id = i.organisation_id
      WHERE i.state IN ('finalised', 'paid') AND i.issued_at >= $1 AND i.issued_at < $3
      ORDER BY i.issued_at, i.id`,
    [previousStart, start, end],
  );
  const { rows: lines } = await db.query<LineRow>(
    `SELECT l.invoice_id, l.kind, m.code AS metric_code, m.name AS metric_name, l.amount::text,
            CASE WHEN l.kind = 'usage' THEN l.terms->'resources' END AS resources
       FROM invoice_line l LEFT JOIN billable_metric m ON m.id = l.metric_id
      WHERE l.invoice_id = ANY($1::uuid[])
      ORDER BY l.invoice_id, l.position`,
    [documents.map((d) => d.id)],
  );
  const resourceIds = [
    ...new Set(lines.flatMap((l) => (l.resources ?? []).map((r) => r.resourceId))),
  ];
  const { rows: resources } = await db.query<{ id: string; reference: string; name: string }>(
    'SELECT id, reference, name FROM resource WHERE id = ANY($1::uuid[])',
    [resourceIds],
  );
  const resourceOf = new Map(resources.map((r) => [r.id, r]));
  const linesOf = new Map<string, LineRow[]>();
  for (const line of lines)
    linesOf.set(line.invoice_id, [...(linesOf.get(line.invoice_id) ?? []), line]);

  const byCurrency = new Map<string, DocumentRow[]>();
  for (const document of documents)
    byCurrency.set(document.currency, [...(byCurrency.get(document.currency) ?? []), document]);
  const currencies: CurrencyReport[] = [];
  for (const [currency, docs] of [...byCurrency].sort(([a], [b]) => a.localeCompare(b))) {
    const digits = docs[0]!.minor_units;
    const zero = () => new Money(0);
    const totals = { invoiced: zero(), credited: zero(), paid: zero(), previousNet: zero() };
    const organisations = new Map<
      string,
      { label: string; invoiced: Dec; credited: Dec; paid: Dec; previous: Dec }
    >();
    const metrics = new Tally();
    const byResource = new Tally();
    for (const doc of docs) {
      const credit = doc.kind === 'credit_note';
      // A credit note's amounts lower the net: its lines count negative everywhere.
      const sign = credit ? -1 : 1;
      const subtotal = new Money(doc.subtotal);
      if (doc.previous) totals.previousNet = totals.previousNet.plus(subtotal.times(sign));
      else if (credit) totals.credited = totals.credited.plus(subtotal);
      else {
        totals.invoiced = totals.invoiced.plus(subtotal);
        if (doc.state === 'paid') totals.paid = totals.paid.plus(subtotal);
      }
      const organisation = organisations.get(doc.organisation_reference) ?? {
        label: doc.organisation_name,
        invoiced: zero(),
        credited: zero(),
        paid: zero(),
        previous: zero(),
      };
      if (doc.previous) organisation.previous = organisation.previous.plus(subtotal.times(sign));
      else if (credit) organisation.credited = organisation.credited.plus(subtotal);
      else {
        organisation.invoiced = organisation.invoiced.plus(subtotal);
        if (doc.state === 'paid') organisation.paid = organisation.paid.plus(subtotal);
      }
      organisations.set(doc.organisation_reference, organisation);

      for (const line of linesOf.get(doc.id) ?? []) {
        const amount = new Money(line.amount).times(sign);
        if (line.kind === 'fixed_fee') {
          metrics.add(fixedFees.key, fixedFees.label, amount, doc.previous);
          byResource.add(fixedFees.key, fixedFees.label, amount, doc.previous);
          continue;
        }
        metrics.add(
          line.metric_code ?? unattributed.key,
          line.metric_name ?? unattributed.label,
          amount,
          doc.previous,
        );
        const shares = line.resources ?? [];
        if (line.kind !== 'usage') {
          byResource.add(corrections.key, corrections.label, amount, doc.previous);
        } else if (!shares.length) {
          byResource.add(unattributed.key, unattributed.label, amount, doc.previous);
        } else {
          const parts = allocate(
            amount,
            shares.map((s) => new Money(s.quantity).abs()),
            currency,
          );
          shares.forEach((share, i) => {
            const resource = resourceOf.get(share.resourceId);
            const key = resource?.reference ?? share.resourceId;
            byResource.add(key, resource?.name ?? key, parts[i]!, doc.previous);
          });
        }
      }
    }
    const net = totals.invoiced.minus(totals.credited);
    currencies.push({
      currency,
      minorUnits: digits,
      invoiced: totals.invoiced.toFixed(digits),
      credited: totals.credited.toFixed(digits),
      net: net.toFixed(digits),
      paid: totals.paid.toFixed(digits),
      outstanding: net.minus(totals.paid).toFixed(digits),
      previousNet: totals.previousNet.toFixed(digits),
      byOrganisation: [...organisations]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, o]) => ({
          key,
          label: o.label,
          invoiced: o.invoiced.toFixed(digits),
          credited: o.credited.toFixed(digits),
          paid: o.paid.toFixed(digits),
          net: o.invoiced.minus(o.credited).toFixed(digits),
          previousNet: o.previous.toFixed(digits),
        })),
      byMetric: metrics.rows(digits),
      byResource: byResource.rows(digits),
    });
  }
  return {
    month: input.month,
    generatedAt: input.generatedAt ?? new Date(),
    issuer: input.issuer,
    currencies,
  };
}
