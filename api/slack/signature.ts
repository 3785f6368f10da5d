/**
 * Slack's request signing (v0): HMAC-SHA256 with the app's signing secret over
 * `v0:<X-Slack-Request-Timestamp>:<raw body>`, sent as `X-Slack-Signature: v0=<hex>`.
 * A request older or newer than five minutes is refused, so a captured one cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SLACK_WINDOW_SECONDS = 300;

export const slackSignature = (secret: string, timestamp: string, body: Buffer | string): string =>
  `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;

/** Undefined when the request is Slack's; else what is wrong with it. */
export function slackRequestProblem(
  secret: string,
  timestamp: string | undefined,
  signature: string | undefined,
  body: Buffer,
  nowMs = Date.now(),
): string | undefined {
  if (!timestamp || !signature) return 'X-Slack-Request-Timestamp and X-Slack-Signature are required';
  if (!/^\d{1,12}$/.test(timestamp)) return 'X-Slack-Request-Timestamp is not a Unix time';
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > SLACK_WINDOW_SECONDS)
    return 'the request is older than five minutes (or from the future): refused as a possible replay';
  const expected = Buffer.from(slackSignature(secret, timestamp, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return 'X-Slack-Signature does not match the body';
  return undefined;
}
