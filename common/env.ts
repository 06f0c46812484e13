/**
 * Environment variables shared by every salonwatch process, with the local stack's values as
 * defaults. `infra/compose.yaml` sets the same names for production.
 */
export interface Endpoints {
  readonly kafkaBrokers: readonly string[];
  readonly eventsTopic: string;
  readonly deadLetterTopic: string;
  readonly clickhouseUrl: string;
  readonly clickhouseUser: string;
  readonly clickhousePassword: string;
  readonly clickhouseDatabase: string;
  readonly clickhouseReadonlyUser: string;
  readonly clickhouseReadonlyPassword: string;
}

export const LOCAL_PORTS = {
  kafka: 19092,
  kafkaController: 19093,
  clickhouseHttp: 18123,
  clickhouseTcp: 19000,
  rtsp: 18554,
} as const;

function read(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): Endpoints {
  return {
    kafkaBrokers: read(env, 'SALONWATCH_KAFKA_BROKERS', `127.0.0.1:${LOCAL_PORTS.kafka}`).split(','),
    eventsTopic: read(env, 'SALONWATCH_EVENTS_TOPIC', 'salonwatch.events.v1'),
    deadLetterTopic: read(env, 'SALONWATCH_DEAD_LETTER_TOPIC', 'salonwatch.events.dlq'),
    clickhouseUrl: read(env, 'SALONWATCH_CLICKHOUSE_URL', `http://127.0.0.1:${LOCAL_PORTS.clickhouseHttp}`),
    clickhouseUser: read(env, 'SALONWATCH_CLICKHOUSE_USER', 'salonwatch'),
    clickhousePassword: read(env, 'SALONWATCH_CLICKHOUSE_PASSWORD', 'salonwatch'),
    clickhouseDatabase: read(env, 'SALONWATCH_CLICKHOUSE_DATABASE', 'salonwatch'),
    clickhouseReadonlyUser: read(env, 'SALONWATCH_CLICKHOUSE_READONLY_USER', 'grafana'),
    clickhouseReadonlyPassword: read(env, 'SALONWATCH_CLICKHOUSE_READONLY_PASSWORD', 'grafana'),
  };
}
