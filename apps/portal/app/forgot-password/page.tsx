'use client';

import { useState } from 'react';
import { AuthForm } from '@/components/auth-form';
import { api } from '@/lib/api';

export default function ForgotPasswordPage() {
  const [sent, setSent] = useState(false);
  return (
    <section>
      <h1>Reset your password</h1>
      {sent ? (
        <p data-testid="reset-sent">
          If an account has this address, a link to choose a new password is on its way (valid for
          an hour).
        </p>
      ) : (
        <AuthForm
          submitLabel="Send the link"
          fields={[{ name: 'email', label: 'Email', type: 'email', autoComplete: 'email' }]}
          onSubmit={async (values) => {
            await api('/api/auth/password-reset/request', { method: 'POST', body: values });
            setSent(true);
          }}
        />
      )}
    </section>
  );
}
