/** `salonwatch token create`: mints a bearer token signed with SALONWATCH_API_SECRET. */
import type { Command } from '../cli/command.js';
import { parseCommandArgs } from '../cli/command.js';
import { SalonwatchError } from '../common/errors.js';
import { ROLES, isRole, issueToken, parseTtl } from './auth.js';

const help = `usage: salonwatch token create --role admin|reviewer|owner [--partner ID] [--ttl 8h] [--subject NAME]

Prints a JWT (HS256, signed with SALONWATCH_API_SECRET, at least 32 bytes) for the API's
Authorization: Bearer header and the web app's sign-in.

  --role R      ${ROLES.join(', ')}
  --partner P   the partner an owner token is bound to (owners only, required for them)
  --ttl T       lifetime: 90s, 30m, 8h (default), 7d
  --subject S   who the token names in reviews and logs (default: the role[@partner])
`;

export const command: Command = {
  name: 'token',
  summary: 'issue API tokens: create --role R [--partner P] [--ttl 8h]',
  help,
  async run(argv) {
    const parsed = parseCommandArgs(
      command,
      argv,
      {
        role: { type: 'string' },
        partner: { type: 'string' },
        ttl: { type: 'string' },
        subject: { type: 'string' },
      },
      true,
    );
    if (parsed === undefined) return 0;
    const [action, ...extra] = parsed.positionals;
    if (action !== 'create' || extra.length > 0)
      throw new SalonwatchError('USAGE', `expected "token create"\n\n${help}`);
    const { role, partner, ttl, subject } = parsed.values;
    if (!isRole(role))
      throw new SalonwatchError('USAGE', `--role must be one of ${ROLES.join(', ')}\n\n${help}`);
    const secret = process.env['SALONWATCH_API_SECRET'] ?? '';
    if (secret === '')
      throw new SalonwatchError('CONFIG_INVALID', 'SALONWATCH_API_SECRET is not set');
    const token = await issueToken(
      {
        role,
        ttlS: parseTtl(ttl ?? '8h'),
        ...(partner === undefined ? {} : { partnerId: partner }),
        ...(subject === undefined ? {} : { subject }),
      },
      secret,
      Math.floor(Date.now() / 1000),
    );
    process.stdout.write(token + '\n');
    return 0;
  },
};
