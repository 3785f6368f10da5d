/**
 * Slack buttons on Tourniquet's messages: their action ids and values, written by the
 * worker (activities/slack-messages.ts) and read back by the API (api/routes/slack.ts).
 * A button's action_id is `<action>:<value>` (unique within a message); its value is the
 * incident id, or `<incident id>/<approval id>` for approve and reject.
 */
export const SLACK_ACTIONS = {
  acknowledge: 'tourniquet.acknowledge',
  approve: 'tourniquet.approve',
  reject: 'tourniquet.reject',
} as const;
