'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense } from 'react';
import { AuthForm } from '@/components/auth-form';
import { ErrorBanner } from '@/components/error-banner';
import { api, query, type InvitationLookup } from '@/lib/api';

function Accept() {
  const token = useSearchParams().get('token') ?? '';
  const router = useRouter();
  const client = useQueryClient();
  const invitation = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => api<InvitationLookup>(`/api/invitations/lookup${query({ token })}`),
  });
  if (invitation.error) return <ErrorBanner error={invitation.error} />;
  if (!invitation.data) return <p className="muted">Loading…</p>;
  const { email, role, nodeName, accountExists } = invitation.data;
  return (
    <>
      <p data-testid="invitation">
        You are invited to <strong>{nodeName}</strong> as <strong>{role}</strong> ({email}).
      </p>
      <AuthForm
        submitLabel={accountExists ? 'Accept and sign in' : 'Create account and accept'}
        fields={
          accountExists
            ? [
                {
                  name: 'password',
                  label: 'Your password',
                  type: 'password',
                  autoComplete: 'current-password',
                },
              ]
            : [
                { name: 'name', label: 'Your name', autoComplete: 'name' },
                {
                  name: 'password',
                  label: 'Choose a password (10 characters or more)',
                  type: 'password',
                  autoComplete: 'new-password',
                },
              ]
        }
        onSubmit={async (values) => {
          await api('/api/invitations/accept', { method: 'POST', body: { token, ...values } });
          await client.resetQueries();
          router.push('/');
        }}
      />
    </>
  );
}

export default function AcceptInvitationPage() {
  return (
    <section>
      <h1>Invitation</h1>
      <Suspense>
        <Accept />
      </Suspense>
    </section>
  );
}
