'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { Suspense, useState } from 'react';
import { AuthForm } from '@/components/auth-form';
import { api } from '@/lib/api';

function Reset() {
  const token = useSearchParams().get('token') ?? '';
  const [done, setDone] = useState<{ tokensRevoked: boolean } | null>(null);
  if (done)
    return (
      <p data-testid="reset-done">
        Your password is changed and every session ended
        {done.tokensRevoked ? ', and your API tokens are revoked' : ''}.{' '}
        <Link href="/sign-in">Sign in</Link>
      </p>
    );
  return (
    <AuthForm
      submitLabel="Set the new password"
      fields={[
        {
          name: 'password',
          label: 'New password (10 characters or more)',
          type: 'password',
          autoComplete: 'new-password',
        },
        {
          name: 'revokeApiTokens',
          label: 'Also revoke my API tokens (scripts will need new tokens)',
          type: 'checkbox',
          required: false,
          value: 'true',
        },
      ]}
      onSubmit={async (values) => {
        const revokeApiTokens = values.revokeApiTokens === 'true';
        await api('/api/auth/password-reset', {
          method: 'POST',
          body: { token, password: values.password, revokeApiTokens },
        });
        setDone({ tokensRevoked: revokeApiTokens });
      }}
    />
  );
}

export default function ResetPasswordPage() {
  return (
    <section>
      <h1>Choose a new password</h1>
      <Suspense>
        <Reset />
      </Suspense>
    </section>
  );
}
