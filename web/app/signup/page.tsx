import { Suspense } from 'react';
import type { Metadata } from 'next';
import AuthForm from '@/components/AuthForm';

export const metadata: Metadata = { title: 'Create an account · Todo' };

export default function SignUp() {
  return <Suspense fallback={null}><AuthForm mode="signup" /></Suspense>;
}
