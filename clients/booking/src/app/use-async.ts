import { type DependencyList, useEffect, useState } from 'react';
import { ApiError } from './api.js';

export type AsyncState<T> =
  | { readonly status: 'loading' }
  | { readonly status: 'error'; readonly error: ApiError }
  | { readonly status: 'done'; readonly value: T };

/** Runs `load` when the dependencies change; the last call wins. */
export function useAsync<T>(load: () => Promise<T>, deps: DependencyList): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  useEffect(
    () => {
      let current = true;
      setState({ status: 'loading' });
      load().then(
        (value) => current && setState({ status: 'done', value }),
        (error: unknown) =>
          current &&
          setState({
            status: 'error',
            error:
              error instanceof ApiError ? error : new ApiError(0, 'UNEXPECTED', 'Une erreur est survenue.'),
          }),
      );
      return () => {
        current = false;
      };
    },
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what `load` depends on
    deps,
  );
  return state;
}
