/** The runbook list the bundler generates (worker/bundle.ts). */
declare module '@tourniquet/runbook-set' {
  const runbooks: import('./runbook-sdk').RunbookDefinition[];
  export default runbooks;
}
