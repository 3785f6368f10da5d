/** The parser ships no types: the families it returns, as far as the tests use them. */
declare module 'parse-prometheus-text-format' {
  export default function parse(text: string): {
    name: string;
    help: string;
    type: string;
    metrics: { labels?: Record<string, string>; value?: string; buckets?: Record<string, string> }[];
  }[];
}
