import { type ReactNode, useId } from 'react';
import { describeError } from '../api/http.js';
import type { AsyncState } from './use-async.js';

/** Small accessible building blocks shared by the pages. */

export function ErrorAlert({ error }: { error: unknown }) {
  return (
    <div role="alert" className="alert alert-error">
      {describeError(error)}
    </div>
  );
}

/** Outcome of the last action: announced politely to screen readers. */
export function StatusMessage({ message }: { message: { kind: 'ok' | 'error'; text: string } | null }) {
  return (
    <div
      role="status"
      aria-live="polite"
      className={message ? `alert alert-${message.kind}` : 'visually-hidden'}
    >
      {message?.text ?? ''}
    </div>
  );
}

export function Loading<T>({ state, children }: { state: AsyncState<T>; children?: ReactNode }) {
  if (state.status === 'loading') return <p aria-busy="true">Chargement…</p>;
  if (state.status === 'error') return <ErrorAlert error={state.error} />;
  return <>{children}</>;
}

export function Field(props: { label: string; children: (id: string) => ReactNode; hint?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(id)}
      {props.hint ? <small id={`${id}-hint`}>{props.hint}</small> : null}
    </div>
  );
}

export function PageTitle({ children }: { children: ReactNode }) {
  return <h1 tabIndex={-1}>{children}</h1>;
}
