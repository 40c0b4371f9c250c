import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { type BackofficeApi, createBackofficeApi } from '../api/backoffice-api.js';
import type { FetchLike } from '../api/http.js';
import type { Principal } from '../api/types.js';

/**
 * The staff session: the access token and principal, kept in sessionStorage (gone with the tab,
 * never in localStorage where it would outlive the shift) and the API bound to that token.
 */

export interface Session {
  readonly token: string;
  readonly principal: Principal;
  /** Epoch ms. */
  readonly expiresAt: number;
}

const STORAGE_KEY = 'pti.backoffice.session';

export function readStoredSession(storage: Storage | undefined, now = Date.now()): Session | null {
  const text = storage?.getItem(STORAGE_KEY);
  if (text === null || text === undefined) return null;
  try {
    const parsed = JSON.parse(text) as Session;
    return parsed.expiresAt > now ? parsed : null;
  } catch {
    return null;
  }
}

interface SessionContextValue {
  readonly session: Session | null;
  readonly api: BackofficeApi;
  signIn(session: Session): void;
  signOut(): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export interface SessionProviderProps {
  readonly children: ReactNode;
  readonly fetch?: FetchLike;
  readonly baseUrl?: string;
  readonly initialSession?: Session | null;
}

function browserStorage(): Storage | undefined {
  return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
}

export function SessionProvider(props: SessionProviderProps) {
  const [session, setSession] = useState<Session | null>(() =>
    props.initialSession !== undefined ? props.initialSession : readStoredSession(browserStorage()),
  );
  const signOut = useCallback(() => {
    browserStorage()?.removeItem(STORAGE_KEY);
    setSession(null);
  }, []);
  const signIn = useCallback((next: Session) => {
    browserStorage()?.setItem(STORAGE_KEY, JSON.stringify(next));
    setSession(next);
  }, []);
  const fetchImpl = props.fetch;
  const baseUrl = props.baseUrl ?? '';
  const token = session?.token ?? null;
  const api = useMemo(
    () =>
      createBackofficeApi({
        baseUrl,
        fetch: fetchImpl ?? ((input, init) => globalThis.fetch(input, init)),
        token: () => token,
        onUnauthorized: () => {
          if (token !== null) signOut();
        },
      }),
    [baseUrl, fetchImpl, token, signOut],
  );
  const value = useMemo(() => ({ session, api, signIn, signOut }), [session, api, signIn, signOut]);
  return <SessionContext.Provider value={value}>{props.children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (value === null) throw new Error('useSession outside SessionProvider');
  return value;
}

export function useApi(): BackofficeApi {
  return useSession().api;
}

/** The signed-in principal; pages rendered behind the login guard only. */
export function usePrincipal(): Principal {
  const { session } = useSession();
  if (session === null) throw new Error('usePrincipal without a session');
  return session.principal;
}
