/** Every workflow the worker registers. Runbook workflows join here in later issues. */
export { incident } from './incident';
export { incidentSequence } from './sequence';
export { alertGroup } from './alert-group';
export { runbookRun } from './runbook';
export { serviceGuard } from './service-guard';
export { engineHealth } from './engine-health';
export { pageDelivery } from './page-delivery';
