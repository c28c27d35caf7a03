'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { Suspense, useState } from 'react';
import { AuthForm } from '@/components/auth-form';
import { api } from '@/lib/api';

function Reset() {
  const token = useSearchParams().get('token') ?? '';
  const [done, setDone] = useState(false);
  if (done)
    return (
      <p data-testid="reset-done">
        Your password is changed and every session ended. <Link href="/sign-in">Sign in</Link>
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
      ]}
      onSubmit={async (values) => {
        await api('/api/auth/password-reset', { method: 'POST', body: { token, ...values } });
        setDone(true);
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
