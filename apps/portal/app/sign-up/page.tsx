'use client';

import Link from 'next/link';
import { useState } from 'react';
import { AuthForm } from '@/components/auth-form';
import { api } from '@/lib/api';

export default function SignUpPage() {
  const [sentTo, setSentTo] = useState<string | null>(null);
  if (sentTo)
    return (
      <section>
        <h1>Confirm your email</h1>
        <p data-testid="sign-up-done">
          We sent a link to {sentTo}. Open it to confirm the address, then{' '}
          <Link href="/sign-in">sign in</Link>. (Without SMTP the email is written to the API’s
          log.)
        </p>
      </section>
    );
  return (
    <section>
      <h1>Sign up</h1>
      <AuthForm
        submitLabel="Create account"
        fields={[
          { name: 'name', label: 'Your name', autoComplete: 'name' },
          { name: 'email', label: 'Email', type: 'email', autoComplete: 'email' },
          {
            name: 'password',
            label: 'Password (10 characters or more)',
            type: 'password',
            autoComplete: 'new-password',
          },
          {
            name: 'organisation',
            label: 'Organisation (optional: you become its owner)',
            required: false,
          },
        ]}
        onSubmit={async (values) => {
          const body = { ...values, organisation: values.organisation || undefined };
          await api('/api/auth/register', { method: 'POST', body });
          setSentTo(values.email);
        }}
      >
        <p className="muted">
          Invited by someone? Open the link of the invitation instead. Already have an account?{' '}
          <Link href="/sign-in">Sign in</Link>
        </p>
      </AuthForm>
    </section>
  );
}
