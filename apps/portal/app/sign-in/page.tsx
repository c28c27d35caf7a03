'use client';

import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense } from 'react';
import { AuthForm } from '@/components/auth-form';
import { api } from '@/lib/api';
import { pageAfterSignIn } from '@/lib/next-path';

function SignIn() {
  const router = useRouter();
  const next = useSearchParams().get('next');
  const client = useQueryClient();
  return (
    <section>
      <h1>Sign in</h1>
      <AuthForm
        submitLabel="Sign in"
        fields={[
          { name: 'email', label: 'Email', type: 'email', autoComplete: 'username' },
          {
            name: 'password',
            label: 'Password',
            type: 'password',
            autoComplete: 'current-password',
          },
        ]}
        onSubmit={async (values) => {
          await api('/api/auth/sign-in', { method: 'POST', body: values });
          await client.resetQueries();
          // Only a page of this portal: never a redirect elsewhere.
          router.push(pageAfterSignIn(next, window.location.origin));
        }}
      >
        <p className="muted">
          <Link href="/forgot-password">Forgot your password?</Link> · No account?{' '}
          <Link href="/sign-up">Sign up</Link>
        </p>
      </AuthForm>
    </section>
  );
}

export default function SignInPage() {
  return (
    <Suspense>
      <SignIn />
    </Suspense>
  );
}
