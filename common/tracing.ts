/**
 * Traces (OpenTelemetry), on when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is
 * set, exported as OTLP over HTTP: the API's HTTP server spans, Temporal's client spans
 * (start, signal, Update) and activity spans, joined through Temporal's headers into one
 * trace from an alert's request to the runbook step it caused. Off, every hook is a no-op.
 * The OpenTelemetry JS 1.x line throughout, as Temporal's interceptors 1.24 use it.
 */
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';

let provider: NodeTracerProvider | undefined;

/** Probes and scrapes are not worth a trace each. */
const UNTRACED = /^\/(healthz|readyz|metrics)\b/;

/** Starts tracing if configured (once); call before the HTTP server exists. */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): void {
  if (provider) return;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return;
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME ?? serviceName });
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter()); // reads the endpoint from env
  provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => UNTRACED.test(req.url ?? '') }),
    ],
  });
}

/** Sends what is buffered (a stopping process). */
export async function stopTracing(): Promise<void> {
  await provider?.shutdown();
}

/** The current trace id (for log lines), if a span is active. */
export function currentTraceId(): string | undefined {
  return trace.getActiveSpan()?.spanContext().traceId;
}

/** Names the HTTP span after the route (`POST /api/v1/incidents/{id}/acknowledge`), not the raw URL. */
export function nameHttpSpan(method: string, route: string): void {
  const span = trace.getActiveSpan();
  span?.updateName(`${method.toUpperCase()} ${route}`);
  span?.setAttribute('http.route', route);
}

/** Client interceptors: a workflow start, signal, query or Update carries the caller's trace. */
export const clientInterceptors = () => ({ workflow: [new OpenTelemetryWorkflowClientInterceptor()] });

/**
 * Activity interceptors: each activity's span, a child of the trace its workflow carried
 * over (workflows/trace-context.ts, in every bundle so traced and untraced workers share a build id).
 */
export const activityTracing = () => [
  (ctx: ConstructorParameters<typeof OpenTelemetryActivityInboundInterceptor>[0]) => ({
    inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
    outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
  }),
];
