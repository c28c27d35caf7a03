'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { Suspense, useEffect } from 'react';
import { ErrorBanner } from '@/components/error-banner';
import { api } from '@/lib/api';

function Verify() {
  const token = useSearchParams().get('token') ?? '';
  const verify = useMutation({
    mutationFn: () => api('/api/auth/verify-email', { method: 'POST', body: { token } }),
  });
  const { mutate } = verify;
  useEffect(() => mutate(), [mutate]);
  return (
    <section>
      <h1>Confirm your email</h1>
      {verify.isSuccess ? (
        <p data-testid="verified">
          Your address is confirmed. <Link href="/sign-in">Sign in</Link>
        </p>
      ) : (
        <ErrorBanner error={verify.error} />
      )}
    </section>
  );
}

export default function VerifyEmailPage() {
  return (
    <Suspense>
      <Verify />
    </Suspense>
  );
}
