import { parseCommandArgs, type Command } from '../cli/command.js';
import { connectClickHouse } from './client.js';
import { loadMigrations, migrate } from './migrate.js';

export const command: Command = {
  name: 'migrate',
  summary: 'apply the ClickHouse migrations (records what ran; safe to re-run)',
  help: `usage: salonwatch migrate [--database NAME] [--json]

Applies clickhouse/migrations/NNN_name.sql in order to the database (default from
SALONWATCH_CLICKHOUSE_DATABASE, else "salonwatch") and records each in schema_migrations.
Already applied migrations are skipped; a changed applied migration is an error.

  --database NAME   database to migrate (must exist)
  --json            print {"applied": [...], "skipped": [...]}
`,
  async run(argv) {
    const args = parseCommandArgs(this, argv, { database: { type: 'string' }, json: { type: 'boolean' } });
    if (args === undefined) return 0;
    const ch = connectClickHouse(args.values.database === undefined ? {} : { database: args.values.database });
    try {
      const result = await migrate(ch, await loadMigrations(), new Date());
      if (args.values.json === true) process.stdout.write(JSON.stringify(result) + '\n');
      else {
        for (const name of result.applied) process.stdout.write(`applied  ${name}\n`);
        process.stdout.write(`${result.applied.length} applied, ${result.skipped.length} already applied (${ch.database})\n`);
      }
      return 0;
    } finally {
      await ch.close();
    }
  },
};
