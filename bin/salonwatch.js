#!/usr/bin/env node
// Entry point of the `salonwatch` command. The sources are TypeScript run through tsx's loader,
// so there is no build step between a checkout and a working command.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
// Exit as soon as the command is done: a client left connected after a failed start-up (a Kafka
// producer, a timer) must not keep a failed process alive. stdout and stderr are synchronous
// for files and pipes on Linux, so nothing printed is lost.
process.exit(await main(process.argv.slice(2)));
