import { Center, Loader } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { call, onUnauthenticated, signOut } from '../api/client';
import { Shell } from './Shell';
import { SignIn } from './SignIn';
import type { Me } from '../api/types';

type SessionState = { kind: 'checking' } | { kind: 'anonymous' } | { kind: 'signed-in'; me: Me };

export function App() {
  const [session, setSession] = useState<SessionState>({ kind: 'checking' });

  useEffect(() => {
    // A reload keeps the session held by main (cookie or window): ask who we are.
    void call('session.me', {}).then((r) => setSession(r.ok && r.value ? { kind: 'signed-in', me: r.value } : { kind: 'anonymous' }));
    onUnauthenticated(() => setSession({ kind: 'anonymous' }));
    return () => onUnauthenticated(null);
  }, []);

  const handleSignOut = useCallback(() => {
    void signOut().finally(() => setSession({ kind: 'anonymous' }));
  }, []);

  if (session.kind === 'checking') {
    return (
      <Center h="100vh">
        <Loader size="sm" />
      </Center>
    );
  }
  if (session.kind === 'anonymous') return <SignIn onSignedIn={(me) => setSession({ kind: 'signed-in', me })} />;
  return <Shell key={session.me.userId} me={session.me} onSignOut={handleSignOut} />;
}
