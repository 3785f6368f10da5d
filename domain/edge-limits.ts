/** The HTTP edge's rate limits (enforced in api/edge.ts, configured under `http`). */
export interface EdgeLimits {
  /** Requests per minute per caller (token, or address without one). */
  perMinute: number;
  /** Failed authentications per minute per address before every request from it waits. */
  failedAuthPerMinute: number;
}

export const DEFAULT_EDGE_LIMITS: EdgeLimits = { perMinute: 1200, failedAuthPerMinute: 60 };
