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

/**
 * The colours a member may choose for their person mark (initials on a colour, never a photo). Keys, not
 * colour values: the web's design tokens give each a light and a dark shade with accessible contrast.
 */
export const MARK_COLOURS = ['heather', 'sage', 'sky', 'rose', 'sand', 'teal', 'plum', 'slate'] as const;
export type MarkColour = (typeof MARK_COLOURS)[number];
export const MarkColourSchema = Type.Union(
  [
    Type.Literal('heather'),
    Type.Literal('sage'),
    Type.Literal('sky'),
    Type.Literal('rose'),
    Type.Literal('sand'),
    Type.Literal('teal'),
    Type.Literal('plum'),
    Type.Literal('slate'),
  ],
  { description: 'A person mark colour from the palette.' },
);
/** The chosen colour, or null for the one derived from the member's id. */
export const MarkColourOrNullSchema = Type.Union([MarkColourSchema, Type.Null()], {
  errorMessage: `markColour is one of ${MARK_COLOURS.join(', ')}, or null.`,
});

/**
 * Who wrote a message, story or reply, with their staff mark and their mark colour (null: derived from the
 * id). The server always sends markColour; it is optional in the type so fixtures written before it stay valid.
 */
export const AuthorSchema = Type.Object(
  {
    id: Type.String(),
    displayName: Type.String(),
    staff: StaffMarkSchema,
    markColour: Type.Optional(MarkColourOrNullSchema),
  },
  { additionalProperties: false },
);
export type Author = Static<typeof AuthorSchema>;
