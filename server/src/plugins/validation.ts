// Request validation. Bodies are checked strictly: no type coercion ("8" is not 8) and no silent removal
// of unknown fields (they are refused). Query strings and path params arrive as text, so those are coerced.
// Every validator here accepts exactly what the database can store, whatever its schema says: text that
// PostgreSQL refuses (a NUL character) or would change (a lone surrogate, which is not UTF-8) is refused
// wherever it sits, and a uuid is only ever the canonical form. One frame the database refuses would
// otherwise fail the chat batch it rides in (server/src/chat/writer.ts), and with it other members' words.
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import * as formats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

// ajv-formats is CommonJS; under NodeNext its function sits on `default`.
const addFormats = formats.default as unknown as (ajv: Ajv) => Ajv;

// `verbose` keeps the failing schema on each error, so a field's own `errorMessage` can be shown.
const common: Options = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false, verbose: true };

/**
 * The 8-4-4-4-12 form, lower-case, as PostgreSQL writes uuids and Kindred hands them out. ajv-formats also
 * takes `urn:uuid:…` (PostgreSQL refuses it) and any case (the chat writer compares ids as text, so an
 * upper-case id would miss the row it names).
 */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function createAjv(options: Options): Ajv {
  return addFormats(new Ajv({ ...common, ...options })).addFormat('uuid', CANONICAL_UUID);
}

const strict = createAjv({ coerceTypes: false });
const coercing = createAjv({ coerceTypes: 'array' });

/** The keyword of the error for text the database cannot store (see plugins/errors.ts). */
export const UNSTORABLE = 'storable';

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// eslint-disable-next-line no-control-regex -- the NUL is what this looks for
const UNSTORABLE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Where in a value (a JSON pointer) the first text the database cannot store sits, keys included. */
export function unstorableAt(value: unknown, at = ''): string | undefined {
  if (typeof value === 'string') return UNSTORABLE_TEXT.test(value) ? at : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const path = `${at}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (UNSTORABLE_TEXT.test(key)) return path;
    const found = unstorableAt(inner, path);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The schema's own rules first, then the database's: any string anywhere in the value must be storable. */
function storableOnly(validate: ValidateFunction): ValidateFunction {
  const check = ((data: unknown) => {
    if (!validate(data)) {
      check.errors = validate.errors;
      return false;
    }
    const at = unstorableAt(data);
    if (at === undefined) {
      check.errors = null;
      return true;
    }
    const error: ErrorObject = {
      keyword: UNSTORABLE,
      instancePath: at,
      schemaPath: '',
      params: {},
      message: 'holds a character that cannot be stored',
    };
    check.errors = [error];
    return false;
  }) as ValidateFunction;
  check.errors = null;
  return check;
}

/** A strict validator for data that arrives outside HTTP bodies, such as WebSocket frames. */
export function compileStrict(schema: object): ValidateFunction {
  return storableOnly(strict.compile(schema));
}

export function installValidators(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) =>
    storableOnly((httpPart === 'body' ? strict : coercing).compile(schema)),
  );
}
