// What the OpenAPI document says about itself; the paths come from the route schemas.
import type { Config } from '../config.ts';

export function openApiInfo(config: Pick<Config, 'publicOrigin'>) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Kindred API',
      version: '0.1.0',
      description:
        'Peer support for people grieving a miscarriage or other pregnancy loss. Errors answer ' +
        '`{ "error": { "code", "message" } }`; every non-GET request must carry the Origin of the site.',
    },
    servers: [{ url: config.publicOrigin }],
  };
}
