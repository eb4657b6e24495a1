/** The delivery queue of an endpoint: its Durable Object, one per endpoint id. */
import type { WebhookEndpoint } from '../../../../../durable-objects/webhook-endpoint.ts';

export interface WebhookQueues {
  WEBHOOK_ENDPOINT: DurableObjectNamespace<WebhookEndpoint>;
}

export function endpointQueue(env: WebhookQueues, endpointId: string) {
  return env.WEBHOOK_ENDPOINT.get(env.WEBHOOK_ENDPOINT.idFromName(endpointId));
}
