/**
 * The official CloudEvents SDK reading one of our messages as a kafkajs consumer hands it over
 * (the SDK's Message type also wants `body`): the check no code of ours takes part in.
 */
import { Kafka, type CloudEvent, type KafkaMessage } from 'cloudevents';
import type { IncomingMessage } from '@complaints/messaging';

export function sdkEvent(message: IncomingMessage): CloudEvent<unknown> {
  const received: KafkaMessage<string> = {
    key: message.key,
    value: message.value,
    body: message.value,
    headers: message.headers,
    timestamp: String(message.publishedAt),
  };
  return Kafka.toEvent(received) as CloudEvent<unknown>;
}
