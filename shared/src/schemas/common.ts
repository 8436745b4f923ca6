import { Type, type Static } from 'typebox';
import { errorStatus, type ErrorCode } from '../errors.ts';

const codes = Object.keys(errorStatus) as ErrorCode[];

/** The one error body every 4xx and 5xx answer carries. */
export const ErrorBodySchema = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.Union(codes.map((code) => Type.Literal(code))),
        message: Type.String(),
        field: Type.Optional(Type.String({ description: 'The request field the error is about, when there is one.' })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type ErrorBody = Static<typeof ErrorBodySchema>;
