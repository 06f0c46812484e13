import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { endpointsFromEnv, LOCAL_PORTS } from '../../common/env.js';
import { startDetached } from './process.js';
import type { StackPart } from './part.js';

/** Runs a query over ClickHouse's HTTP interface as `user`; resolves the body or throws. */
export async function clickhouseHttp(query: string, user = 'default', password = '', timeoutMs = 2000): Promise<string> {
  const url = `http://127.0.0.1:${LOCAL_PORTS.clickhouseHttp}/`;
  const response = await fetch(url, {
    method: 'POST',
    body: query,
    headers: { 'X-ClickHouse-User': user, 'X-ClickHouse-Key': password },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`ClickHouse answered ${response.status}: ${body.trim()}`);
  return body;
}

const xmlEscape = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/**
 * ClickHouse from Debian's `clickhouse-server` package (18.16), with its own configuration,
 * data and logs under the state directory so it never touches /etc/clickhouse-server or
 * /var/lib/clickhouse. Users: `default` (loopback only, for administration), the pipeline's
 * read-write user and a read-only user for dashboards.
 */
export function clickhousePart(state: string): StackPart {
  const home = path.join(state, 'clickhouse');
  const configFile = path.join(home, 'config.xml');
  const usersFile = path.join(home, 'users.xml');
  const endpoints = endpointsFromEnv();
  const dir = (name: string) => path.join(home, name) + '/';

  return {
    name: 'clickhouse',
    ports: [LOCAL_PORTS.clickhouseHttp, LOCAL_PORTS.clickhouseTcp],
    process: { name: 'clickhouse', pidFile: path.join(home, 'clickhouse.pid'), logFile: path.join(home, 'stdout.log'), marker: configFile },
    readyTimeoutMs: 60_000,

    prepare() {
      for (const name of ['data', 'tmp', 'user_files', 'format_schemas', 'logs']) mkdirSync(dir(name), { recursive: true });
      // `<yandex>` is the root element 18.16 requires; current releases still accept it.
      writeFileSync(
        configFile,
        `<?xml version="1.0"?>
<!-- Written by salonwatch stack up; edits are overwritten. -->
<yandex>
  <logger>
    <level>information</level>
    <log>${xmlEscape(dir('logs'))}clickhouse-server.log</log>
    <errorlog>${xmlEscape(dir('logs'))}clickhouse-server.err.log</errorlog>
    <size>100M</size>
    <count>3</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${LOCAL_PORTS.clickhouseHttp}</http_port>
  <tcp_port>${LOCAL_PORTS.clickhouseTcp}</tcp_port>
  <path>${xmlEscape(dir('data'))}</path>
  <tmp_path>${xmlEscape(dir('tmp'))}</tmp_path>
  <user_files_path>${xmlEscape(dir('user_files'))}</user_files_path>
  <format_schema_path>${xmlEscape(dir('format_schemas'))}</format_schema_path>
  <users_config>${xmlEscape(usersFile)}</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <max_connections>1024</max_connections>
  <keep_alive_timeout>10</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <!-- Small caches: this is a developer machine shared with Kafka and the pipeline. -->
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <mark_cache_size>268435456</mark_cache_size>
  <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
  <max_session_timeout>3600</max_session_timeout>
  <default_session_timeout>60</default_session_timeout>
</yandex>
`,
      );
      const loopback = '<networks><ip>127.0.0.1</ip><ip>::1</ip></networks>';
      writeFileSync(
        usersFile,
        `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
      <load_balancing>random</load_balancing>
    </default>
    <!-- readonly=2: no writes or DDL, but clients (Grafana's plugin) may still set query settings. -->
    <readonly>
      <readonly>2</readonly>
      <max_memory_usage>2000000000</max_memory_usage>
    </readonly>
  </profiles>
  <users>
    <default><password></password>${loopback}<profile>default</profile><quota>default</quota></default>
    <${endpoints.clickhouseUser}><password>${xmlEscape(endpoints.clickhousePassword)}</password>${loopback}<profile>default</profile><quota>default</quota></${endpoints.clickhouseUser}>
    <${endpoints.clickhouseReadonlyUser}><password>${xmlEscape(endpoints.clickhouseReadonlyPassword)}</password>${loopback}<profile>readonly</profile><quota>default</quota></${endpoints.clickhouseReadonlyUser}>
  </users>
  <quotas>
    <default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default>
  </quotas>
</yandex>
`,
      );
    },

    start() {
      return startDetached(this.process, 'clickhouse-server', [`--config-file=${configFile}`], { cwd: home });
    },

    async ready() {
      try {
        return (await clickhouseHttp('SELECT 1')).trim() === '1';
      } catch {
        return false;
      }
    },

    async afterReady() {
      await clickhouseHttp(`CREATE DATABASE IF NOT EXISTS ${endpoints.clickhouseDatabase}`);
    },

    async version() {
      return (await clickhouseHttp('SELECT version()')).trim();
    },
  };
}
