// Which origins Kindred answers state-changing requests and WebSocket upgrades from (the CSRF check), and
// the address to tell anyone who came from another. With PUBLIC_ORIGIN set, that origin alone. Unset (a
// first start on one machine), every loopback spelling of Kindred's own port: the server listens at
// 127.0.0.1, a person types localhost, and both are the same Kindred. Other hosts are never accepted.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { ApiError } from '../errors.ts';

export interface OriginPolicy {
  accepts(origin: string | undefined): boolean;
  /** Where to open Kindred: PUBLIC_ORIGIN, or http://localhost on the port Kindred listens on. */
  openAt(): string;
  /** The refusal for an origin Kindred does not accept: 403 `csrf`, naming the address to use instead. */
  refusal(kind: 'request' | 'connection'): ApiError;
}

export function originPolicy(
  config: Pick<Config, 'publicOrigin' | 'loopbackOrigins' | 'port'>,
  app: FastifyInstance,
): OriginPolicy {
  // PORT=0 lets the system choose: the port is known only once Kindred listens.
  const port = (): number | undefined => {
    if (config.port !== 0) return config.port;
    const address = app.server.address() as AddressInfo | string | null;
    return address && typeof address === 'object' ? address.port : undefined;
  };
  const openAt = () => {
    const bound = port();
    return config.loopbackOrigins && config.port === 0 && bound ? `http://localhost:${bound}` : config.publicOrigin;
  };
  return {
    accepts(origin) {
      if (origin === undefined) return false;
      if (origin === config.publicOrigin) return true;
      if (!config.loopbackOrigins) return false;
      const bound = port();
      return bound !== undefined && loopbackOrigins(bound).includes(origin);
    },
    openAt,
    refusal(kind) {
      return new ApiError(
        'csrf',
        kind === 'request'
          ? `This page was opened at an address Kindred does not take forms from, so nothing was changed. Please open Kindred at ${openAt()} and try again.`
          : `This connection came from an address Kindred does not accept. Please open Kindred at ${openAt()}.`,
      );
    },
  };
}

function loopbackOrigins(port: number): string[] {
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`];
}
