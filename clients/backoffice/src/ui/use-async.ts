import { useCallback, useEffect, useRef, useState } from 'react';

export type AsyncState<T> =
  | { readonly status: 'idle' }
  | { readonly status: 'loading'; readonly previous?: T }
  | { readonly status: 'ready'; readonly value: T; readonly at: Date }
  | { readonly status: 'error'; readonly error: unknown; readonly previous?: T };

/**
 * Loads `load()` whenever `key` changes, and again every `pollMs` (live agenda). Keeps the previous
 * value while reloading so a poll never blanks the screen.
 */
export function useAsync<T>(
  load: (() => Promise<T>) | null,
  key: string,
  options: { pollMs?: number } = {},
): { state: AsyncState<T>; reload: () => void; value: T | undefined } {
  const [state, setState] = useState<AsyncState<T>>({ status: 'idle' });
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);

  const run = useCallback(() => {
    const current = loadRef.current;
    if (current === null) return;
    const mine = ++generation.current;
    setState((previous) => ({ status: 'loading', ...withPrevious(previous) }));
    current().then(
      (value) => {
        if (mine === generation.current) setState({ status: 'ready', value, at: new Date() });
      },
      (error: unknown) => {
        if (mine === generation.current)
          setState((previous) => ({ status: 'error', error, ...withPrevious(previous) }));
      },
    );
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` is the reload trigger by design.
  useEffect(() => {
    if (loadRef.current === null) {
      setState({ status: 'idle' });
      return;
    }
    run();
    if (options.pollMs === undefined) return;
    const timer = setInterval(run, options.pollMs);
    return () => clearInterval(timer);
  }, [key, options.pollMs, run]);

  const value = state.status === 'ready' ? state.value : state.status === 'idle' ? undefined : state.previous;
  return { state, reload: run, value };
}

function withPrevious<T>(state: AsyncState<T>): { previous?: T } {
  if (state.status === 'ready') return { previous: state.value };
  if ((state.status === 'loading' || state.status === 'error') && state.previous !== undefined)
    return { previous: state.previous };
  return {};
}
