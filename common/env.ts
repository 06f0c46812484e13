/**
 * Environment variables shared by every salonwatch process, with the local stack's values as
 * defaults. `infra/compose.yaml` sets the same names for production (a test checks it).
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

/** Every endpoint variable with its local-stack default. */
export const ENDPOINT_VARIABLES = {
  SALONWATCH_KAFKA_BROKERS: `127.0.0.1:${LOCAL_PORTS.kafka}`,
  SALONWATCH_EVENTS_TOPIC: 'salonwatch.events.v1',
  SALONWATCH_DEAD_LETTER_TOPIC: 'salonwatch.events.dlq',
  SALONWATCH_CLICKHOUSE_URL: `http://127.0.0.1:${LOCAL_PORTS.clickhouseHttp}`,
  SALONWATCH_CLICKHOUSE_USER: 'salonwatch',
  SALONWATCH_CLICKHOUSE_PASSWORD: 'salonwatch',
  SALONWATCH_CLICKHOUSE_DATABASE: 'salonwatch',
  SALONWATCH_CLICKHOUSE_READONLY_USER: 'grafana',
  SALONWATCH_CLICKHOUSE_READONLY_PASSWORD: 'grafana',
} as const;

export type EndpointVariable = keyof typeof ENDPOINT_VARIABLES;

export function readEnv(name: EndpointVariable, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  return value === undefined || value === '' ? ENDPOINT_VARIABLES[name] : value;
}

export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): Endpoints {
  return {
    kafkaBrokers: readEnv('SALONWATCH_KAFKA_BROKERS', env).split(','),
    eventsTopic: readEnv('SALONWATCH_EVENTS_TOPIC', env),
    deadLetterTopic: readEnv('SALONWATCH_DEAD_LETTER_TOPIC', env),
    clickhouseUrl: readEnv('SALONWATCH_CLICKHOUSE_URL', env),
    clickhouseUser: readEnv('SALONWATCH_CLICKHOUSE_USER', env),
    clickhousePassword: readEnv('SALONWATCH_CLICKHOUSE_PASSWORD', env),
    clickhouseDatabase: readEnv('SALONWATCH_CLICKHOUSE_DATABASE', env),
    clickhouseReadonlyUser: readEnv('SALONWATCH_CLICKHOUSE_READONLY_USER', env),
    clickhouseReadonlyPassword: readEnv('SALONWATCH_CLICKHOUSE_READONLY_PASSWORD', env),
  };
}
