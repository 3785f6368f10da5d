/** Small shared pieces: badges with text labels, live durations, polling, errors. */
import { useEffect, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { ApiError } from './api';
import { SEVERITY_LABELS, type Severity } from '../../domain/severity';

/** Severity as colour and words (never colour alone). */
export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span class={`badge sev-${severity.toLowerCase()}`} title={`${severity}: ${SEVERITY_LABELS[severity]}`}>
      {severity} · {SEVERITY_LABELS[severity]}
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status}`}>{status.replace(/_/g, ' ')}</span>;
}

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Re-renders every second: durations of open incidents tick. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

/** Time since creation, or to resolution once resolved; live while open. */
export function Duration({ created, resolved }: { created: string; resolved?: string | null }) {
  const now = useNow();
  return (
    <time dateTime={created}>
      {formatDuration((resolved ? Date.parse(resolved) : now) - Date.parse(created))}
    </time>
  );
}

export const when = (iso?: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

/**
 * Loads `load()` now and every `everyMs` (live updates without a reload). Returns the last
 * value, the last error and a `reload` for after a change.
 */
export function usePoll<T>(load: () => Promise<T>, deps: unknown[], everyMs = 3000) {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const run = () =>
      load().then(
        (v) => live && (setValue(v), setError(undefined)),
        (e: Error) => live && setError(e),
      );
    void run();
    // A hidden tab stops polling (a console left open all night costs the server nothing).
    const t = setInterval(() => document.visibilityState === 'visible' && void run(), everyMs);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [...deps, tick]);
  return { value, error, reload: () => setTick((x) => x + 1) };
}

export function ErrorNote({ error }: { error?: unknown }) {
  if (!error) return null;
  const e = error as ApiError;
  return (
    <p role="alert" class="error">
      {e.message}
      {e.fields?.length ? ` (${e.fields.map((f) => `${f.path}: ${f.message}`).join('; ')})` : ''}
    </p>
  );
}

export function Section({
  title,
  children,
  id,
}: {
  title: string;
  id?: string;
  children: ComponentChildren;
}) {
  return (
    <section aria-labelledby={id ? `${id}-h` : undefined} id={id}>
      <h3 id={id ? `${id}-h` : undefined}>{title}</h3>
      {children}
    </section>
  );
}

/** Runs an action, showing its error; `done` after success (e.g. reload). */
export function useAction() {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<unknown>, done?: () => void) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
      done?.();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

/** A form's state with `bind(name)` for an input's value and change handler. */
export function useForm<T extends Record<string, string>>(initial: T) {
  const [form, setForm] = useState(initial);
  const bind = (name: keyof T) => ({
    value: form[name],
    onInput: (e: Event) => setForm((f) => ({ ...f, [name]: (e.currentTarget as HTMLInputElement).value })),
  });
  return { form, setForm, bind };
}
