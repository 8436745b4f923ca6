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

/**
 * What a writer is to Kindred, computed by the server from the roles as they are now (never sent by a
 * client): `admin` (an operator-made admin, everywhere), `moderator` (a volunteer moderator of the room the
 * message is in), `story_moderator` (on stories and replies). `null` for everyone else, and always on
 * anonymous words, which carry no author at all.
 */
export const StaffMarkSchema = Type.Union([
  Type.Literal('admin'),
  Type.Literal('moderator'),
  Type.Literal('story_moderator'),
  Type.Null(),
]);
export type StaffMark = Static<typeof StaffMarkSchema>;

/** Who wrote a message, story or reply, with their staff mark. */
export const AuthorSchema = Type.Object(
  { id: Type.String(), displayName: Type.String(), staff: StaffMarkSchema },
  { additionalProperties: false },
);
export type Author = Static<typeof AuthorSchema>;
