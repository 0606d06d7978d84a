import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { consoleCall, signAs } from './api/client.js';
import type { ConsoleSession } from './api/types.js';

const STORAGE_KEY = 'envelope-console.identity';

interface SessionState {
  readonly session: ConsoleSession;
  /** The local identity calls are signed as; undefined in `aws` mode (the user's own credentials). */
  readonly identity: string | undefined;
  readonly setIdentity: (name: string) => void;
}

const SessionContext = createContext<SessionState | undefined>(undefined);

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (state === undefined) throw new Error('useSession outside SessionProvider');
  return state;
}

/** Loads `/console/session` once; until then, and if it fails, renders `fallback(error)`. */
export function SessionProvider({ children, fallback }: { children: ReactNode; fallback: (error?: Error) => ReactNode }) {
  const [session, setSession] = useState<ConsoleSession>();
  const [error, setError] = useState<Error>();
  const [identity, setIdentityState] = useState<string>();

  useEffect(() => {
    consoleCall<ConsoleSession>('/session').then((loaded) => {
      const stored = window.sessionStorage.getItem(STORAGE_KEY) ?? undefined;
      const names = loaded.identities.map((entry) => entry.name);
      const chosen = stored !== undefined && names.includes(stored) ? stored : names[0];
      signAs(chosen);
      setIdentityState(chosen);
      setSession(loaded);
    }, setError);
  }, []);

  const setIdentity = useCallback((name: string) => {
    window.sessionStorage.setItem(STORAGE_KEY, name);
    signAs(name);
    setIdentityState(name);
  }, []);

  if (session === undefined) return fallback(error);
  return <SessionContext.Provider value={{ session, identity, setIdentity }}>{children}</SessionContext.Provider>;
}
