/**
 * Shared plumbing for configuration files: read YAML or JSON, validate against a TypeBox schema
 * with every problem named by its path, and freeze the result. Each config module (fleet,
 * standards) owns its schema and its semantic checks; this module owns only the mechanics.
 */
import { readFile } from 'node:fs/promises';
import type { TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { SalonwatchError } from '../common/errors.js';

/** One problem found in a config document: `path` in `salons[3].cameras[0]` form. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** Reads a config file; YAML is a superset of JSON, so one parser serves both. */
export async function readConfigFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SalonwatchError('CONFIG_INVALID', `cannot read config file ${file}`, {
      cause: error,
    });
  }
  try {
    return parseYaml(text, { prettyErrors: true }) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SalonwatchError('CONFIG_INVALID', `${file}: not valid YAML/JSON: ${reason}`, {
      cause: error,
    });
  }
}

/** `/salons/3/cameras/0/zones` -> `salons[3].cameras[0].zones`. */
export function pointerToPath(pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
  let out = '';
  for (const part of parts) {
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out === '' ? '(root)' : out;
}

/**
 * Unknown keys arrive as "Unexpected property" at the key's own path; say which keys the
 * object does allow, since the usual cause is a typo.
 */
function describe(error: ValueError): ConfigIssue {
  const path = pointerToPath(error.path);
  if (error.type === ValueErrorType.ObjectAdditionalProperties) {
    const properties = (error.schema as { properties?: Record<string, unknown> }).properties;
    const known =
      properties === undefined ? '' : ` (allowed: ${Object.keys(properties).join(', ')})`;
    return { path, message: `unknown key${known}` };
  }
  return { path, message: error.message.toLowerCase() };
}

/** Schema problems, the first per path (TypeBox reports once per failed union branch). */
export function schemaIssues(schema: TSchema, value: unknown): ConfigIssue[] {
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const error of Value.Errors(schema, value)) {
    const issue = describe(error);
    if (seen.has(issue.path)) continue;
    seen.add(issue.path);
    issues.push(issue);
  }
  return issues;
}

/** Throws one CONFIG_INVALID error listing every issue, one per line, `path: problem`. */
export function assertNoIssues(source: string, issues: readonly ConfigIssue[]): void {
  if (issues.length === 0) return;
  const lines = issues.map((issue) => `  ${issue.path}: ${issue.message}`);
  throw new SalonwatchError(
    'CONFIG_INVALID',
    `${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n${lines.join('\n')}`,
  );
}

/** Config objects are shared by every stage; freezing them turns an accidental write into a TypeError. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
