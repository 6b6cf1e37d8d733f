import { Center, Loader } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { call, currentUser, onUnauthenticated, signOut } from '../api/client';
import { forgetWarmCalls } from '../api/warm-calls';
import { FirstRun } from '../features/accounts/FirstRun';
import { warmLandingQueue } from '../features/queue/useQueuePages';
import { Shell } from './Shell';
import { SignIn } from './SignIn';
import type { Me } from '../api/types';

type SessionState = { kind: 'checking' } | { kind: 'first-run' } | { kind: 'anonymous' } | { kind: 'signed-in'; me: Me };

/** Nobody signed in: the first-run form while the installation has no user at all, else the sign-in screen. */
async function anonymousState(): Promise<SessionState> {
  const r = await call('setup.status', {});
  return r.ok && r.value.needsFirstSupervisor ? { kind: 'first-run' } : { kind: 'anonymous' };
}

export function App() {
  const [session, setSessionState] = useState<SessionState>({ kind: 'checking' });
  const queryClient = useQueryClient();
  // Nothing one user read stays in the cache for the next one.
  const setSession = useCallback(
    (next: SessionState) => {
      queryClient.clear();
      forgetWarmCalls();
      if (next.kind === 'signed-in') warmLandingQueue(next.me);
      setSessionState(next);
    },
    [queryClient],
  );

  useEffect(() => {
    // A reload keeps the session held by main (cookie or window): ask who we are.
    void currentUser().then(async (me) => setSession(me ? { kind: 'signed-in', me } : await anonymousState()));
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
  if (session.kind === 'first-run')
    return <FirstRun onSignedIn={(me) => setSession({ kind: 'signed-in', me })} onTaken={() => setSession({ kind: 'anonymous' })} />;
  if (session.kind === 'anonymous') return <SignIn onSignedIn={(me) => setSession({ kind: 'signed-in', me })} />;
  return <Shell key={session.me.userId} me={session.me} onSignOut={handleSignOut} />;
}
