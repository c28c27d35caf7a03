'use client';

import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useState } from 'react';
import { EntityForm, type FieldSpec } from '@/components/entity-form';
import { ErrorBanner } from '@/components/error-banner';
import { paramDefaults, paramFields, splitParams, useJobTypes } from '@/components/jobs';
import { api, type JobRunDetail } from '@/lib/api';

const runFields: FieldSpec[] = [
  {
    name: 'ownerId',
    label: 'Owner',
    kind: 'node',
    required: true,
    hint: 'Gets the results; billed for them',
  },
  {
    name: 'priority',
    label: 'Priority',
    kind: 'number',
    hint: '-1000 to 1000, higher first (default 0)',
  },
  {
    name: 'timeoutSeconds',
    label: 'Task timeout (s)',
    kind: 'number',
    hint: "Default: the job type's",
  },
  {
    name: 'maxAttempts',
    label: 'Attempts per task',
    kind: 'number',
    hint: "Default: the job type's",
  },
];

function SubmitForm() {
  const router = useRouter();
  const client = useQueryClient();
  const search = useSearchParams();
  const types = useJobTypes();
  const [name, setName] = useState(search.get('type') ?? '');
  const type = types.data?.find((t) => t.name === name) ?? types.data?.[0];

  return (
    <section>
      <div className="breadcrumb">
        <Link href="/jobs">← all runs</Link>
      </div>
      <h1>Submit a run</h1>
      <ErrorBanner error={types.error} />
      <div className="form">
        <div className="wide">
          <label htmlFor="job-type">Job type</label>
          <select id="job-type" value={type?.name ?? ''} onChange={(e) => setName(e.target.value)}>
            {types.data?.map((t) => (
              <option key={t.name} value={t.name}>
                {t.title} ({t.name})
              </option>
            ))}
          </select>
          {type ? <p className="muted">{type.description}</p> : null}
        </div>
      </div>
      {type ? (
        <EntityForm
          // A new form (and initial values) per job type.
          key={type.name}
          fields={[...paramFields(type.parameters), ...runFields]}
          initial={paramDefaults(type.parameters)}
          submitLabel="Submit"
          onSubmit={async (values) => {
            const { params, rest } = splitParams(values);
            const run = await api<JobRunDetail>('/api/jobs/runs', {
              method: 'POST',
              body: { type: type.name, params, ...rest },
            });
            await client.invalidateQueries({ queryKey: ['job-runs'] });
            router.push(`/jobs/${run.id}`);
          }}
        />
      ) : (
        <p className="muted">Loading…</p>
      )}
    </section>
  );
}

export default function SubmitRunPage() {
  return (
    <Suspense>
      <SubmitForm />
    </Suspense>
  );
}
