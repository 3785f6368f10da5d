/**
 * The last check before acting: every Kubernetes object, database and URL an activity
 * touches must be one of the catalogued targets of the service the run acts for (its
 * `scope`, added by the runbook context). Whatever a runbook's code or parameters say.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  allowedTargets,
  DEFAULT_CAPS,
  type ServiceCaps,
  type ServiceEntry,
  type TargetKind,
} from '../domain/services';

export class TargetScope {
  private readonly entries: ReadonlyMap<string, ServiceEntry>;

  constructor(entries: readonly ServiceEntry[]) {
    this.entries = new Map(entries.map((e) => [e.name, e]));
  }

  entry(service: string): ServiceEntry | undefined {
    return this.entries.get(service);
  }

  /** The caps of the service a run acts for (the defaults when it is not catalogued). */
  caps(scope: string | undefined): ServiceCaps {
    return this.entries.get(scope ?? '')?.caps ?? DEFAULT_CAPS;
  }

  /** Throws (non-retryable) unless `value` is one of `scope`'s `kind` targets. */
  check(scope: string | undefined, kind: TargetKind, value: string): void {
    const entry = scope === undefined ? undefined : this.entries.get(scope);
    if (!entry)
      throw ApplicationFailure.nonRetryable(
        `refused: ${kind} "${value}" — the run acts for ${scope ? `"${scope}", which is not in the service catalogue` : 'no service'}`,
        'TargetRefused',
      );
    const allowed = allowedTargets(entry, kind);
    if (!allowed.includes(value))
      throw ApplicationFailure.nonRetryable(
        `refused: ${kind} "${value}" is not a catalogued target of ${entry.name} (allowed: ${allowed.join(', ') || 'none'})`,
        'TargetRefused',
      );
  }
}

/** Added by the runbook context to every target activity's argument. */
export interface Scoped {
  scope?: string;
}
