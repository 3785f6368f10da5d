/** `/incident …` as API operations: what each command asks for, and the answers for what it cannot. */
import { parseCommand, USAGE } from '../../api/slack/commands';

const URL = 'https://tourniquet.example';
const op = (text: string, channelIncident?: string) => {
  const r = parseCommand(text, channelIncident, URL);
  if (!('operationId' in r)) throw new Error(`no operation: ${r.text}`);
  return { operationId: r.operationId, params: r.params, body: r.body };
};
const said = (text: string, channelIncident?: string) => {
  const r = parseCommand(text, channelIncident, URL);
  if ('operationId' in r) throw new Error(`an operation: ${r.operationId}`);
  return r;
};

it('shows the usage for an empty command and for help', () => {
  expect(said('')).toEqual({ response_type: 'ephemeral', text: USAGE });
  expect(said('help')).toEqual({ response_type: 'ephemeral', text: USAGE });
  expect(said('reboot everything').text).toMatch(/^Unknown command `reboot`/);
});

it('declares with a severity, services and a title (SEV3 when none is given)', () => {
  expect(op('declare SEV2 service=checkout service=cart Checkout errors')).toEqual({
    operationId: 'declareIncident',
    params: {},
    body: {
      title: 'Checkout errors',
      description: 'Declared in Slack',
      severity: 'SEV2',
      affected_services: ['checkout', 'cart'],
    },
  });
  expect(op('declare search is slow').body).toMatchObject({ severity: 'SEV3', title: 'search is slow' });
  expect(said('declare SEV1').text).toMatch(/^A title is needed/);
});

it('takes the incident from the command or from its channel, and asks when there is neither', () => {
  expect(op('ack inc-1001')).toMatchObject({
    operationId: 'acknowledgeIncident',
    params: { id: 'INC-1001' },
  });
  expect(op('status', 'INC-1002')).toMatchObject({ operationId: 'getIncident', params: { id: 'INC-1002' } });
  expect(op('note INC-7 rolled back, watching')).toMatchObject({
    operationId: 'addNote',
    params: { id: 'INC-7' },
    body: { text: 'rolled back, watching' },
  });
  expect(said('ack').text).toMatch(/^Which incident\?/);
});

it('runs a runbook with key=value parameters and an optional dry run; a bare word is refused', () => {
  expect(op('runbook rolling-restart namespace=shop deployment=cart --dry-run', 'INC-3')).toEqual({
    operationId: 'startRunbook',
    params: { id: 'INC-3' },
    body: { name: 'rolling-restart', params: { namespace: 'shop', deployment: 'cart' }, dry_run: true },
  });
  expect(op('runbook INC-4 failover selector=app=web').body).toMatchObject({
    params: { selector: 'app=web' },
  });
  expect(said('runbook INC-4 failover primary').text).toBe('Parameters are key=value; `primary` is not');
});
