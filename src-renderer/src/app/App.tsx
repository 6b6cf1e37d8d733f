import { Center, Loader } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { currentUser, onUnauthenticated, signOut } from '../api/client';
import { Shell } from './Shell';
import { SignIn } from './SignIn';
import type { Me } from '../api/types';

type SessionState = { kind: 'checking' } | { kind: 'anonymous' } | { kind: 'signed-in'; me: Me };

export function App() {
  const [session, setSessionState] = useState<SessionState>({ kind: 'checking' });
  const queryClient = useQueryClient();
  // Nothing one user read stays in the cache for the next one.
  const setSession = useCallback(
    (next: SessionState) => {
      queryClient.clear();
      setSessionState(next);
    },
    [queryClient],
  );

  useEffect(() => {
    // A reload keeps the session held by main (cookie or window): ask who we are.
    void currentUser().then((me) => setSession(me ? { kind: 'signed-in', me } : { kind: 'anonymous' }));
    onUnauthenticated(() => setSession({ kind: 'anonymous' }));
    return () => onUnauthenticated(null);
  }, [setSession]);

  const handleSignOut = useCallback(() => {
    void signOut().finally(() => setSession({ kind: 'anonymous' }));
  }, [setSession]);

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
