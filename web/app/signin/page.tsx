import { Suspense } from 'react';
import type { Metadata } from 'next';
import AuthForm from '@/components/AuthForm';

export const metadata: Metadata = { title: 'Sign in · Todo' };

export default function SignIn() {
  return <Suspense fallback={null}><AuthForm mode="signin" /></Suspense>;
}
