import net from 'node:net';
import { SalonwatchError } from '../../common/errors.js';

/** Resolves true when nothing listens on 127.0.0.1:port (we could bind it ourselves). */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => { resolve(false); });
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => { resolve(true); });
    });
  });
}

export async function requireFreePorts(part: string, ports: readonly number[]): Promise<void> {
  for (const port of ports) {
    if (!(await portIsFree(port))) {
      throw new SalonwatchError(
        'STACK_PORT_TAKEN',
        `${part}: port ${port} on 127.0.0.1 is already in use by another process; free it or stop that process`,
      );
    }
  }
}

/** Opens a TCP connection and resolves true if something accepts it within `timeoutMs`. */
export function canConnect(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => { done(false); });
    socket.once('connect', () => { done(true); });
    socket.once('error', () => { done(false); });
  });
}

/** A port on 127.0.0.1 that nothing listens on right now (the kernel's pick). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  return port;
}
