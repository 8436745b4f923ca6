// Request validation. Bodies are checked strictly: no type coercion ("8" is not 8) and no silent removal
// of unknown fields (they are refused). Query strings and path params arrive as text, so those are coerced.
import { Ajv, type Options } from 'ajv';
import * as formats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

// ajv-formats is CommonJS; under NodeNext its function sits on `default`.
const addFormats = formats.default as unknown as (ajv: Ajv) => Ajv;

// `verbose` keeps the failing schema on each error, so a field's own `errorMessage` can be shown.
const common: Options = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false, verbose: true };

const strict = addFormats(new Ajv({ ...common, coerceTypes: false }));
const coercing = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));

/** A strict validator for data that arrives outside HTTP bodies, such as WebSocket frames. */
export function compileStrict(schema: object) {
  return strict.compile(schema);
}

export function installValidators(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));
}
