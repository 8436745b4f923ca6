// The member directory, for admins and room moderators: finding a member by name, and what a steward may
// know of them (rooms, roles, joined date, sanctions in force). Never anything they wrote.
import { Type, type Static } from 'typebox';
import { SlugSchema } from './rooms.ts';

export const MemberSearchQuerySchema = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        maxLength: 64,
        description: 'Part of a username or display name, any case; empty lists everyone the caller may see.',
        errorMessage: 'A search is up to 64 characters.',
      }),
    ),
    room: Type.Optional(SlugSchema),
    cursor: Type.Optional(
      Type.String({
        pattern: '^[01]:[a-z0-9_]{1,32}$',
        description: 'The last page’s nextCursor.',
        errorMessage: 'That is not a cursor from an earlier page.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type MemberSearchQuery = Static<typeof MemberSearchQuerySchema>;

export const DirectoryMemberSchema = Type.Object(
  {
    id: Type.String(),
    username: Type.String(),
    displayName: Type.String(),
    /** When they joined Kindred. */
    joinedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type DirectoryMember = Static<typeof DirectoryMemberSchema>;

export const MemberSearchResponseSchema = Type.Object(
  { members: Type.Array(DirectoryMemberSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
);
export type MemberSearchResponse = Static<typeof MemberSearchResponseSchema>;

export const MemberParamsSchema = Type.Object(
  {
    username: Type.String({
      pattern: '^[A-Za-z0-9_]{3,32}$',
      errorMessage: 'Usernames are 3 to 32 letters, numbers or underscores.',
    }),
  },
  { additionalProperties: false },
);

const RoomRefSchema = Type.Object({ slug: Type.String(), name: Type.String() }, { additionalProperties: false });

export const MemberDetailSchema = Type.Object(
  {
    ...DirectoryMemberSchema.properties,
    roles: Type.Object(
      {
        admin: Type.Boolean(),
        storyModerator: Type.Boolean(),
        /** The rooms they moderate, among those the caller may see. */
        roomModerator: Type.Array(RoomRefSchema),
      },
      { additionalProperties: false },
    ),
    /** Their rooms, among those the caller may see (a room moderator: the rooms they moderate). */
    rooms: Type.Array(
      Type.Object(
        {
          ...RoomRefSchema.properties,
          role: Type.Union([Type.Literal('member'), Type.Literal('moderator')]),
          joinedAt: Type.String({ format: 'date-time' }),
        },
        { additionalProperties: false },
      ),
    ),
    /** In force now, in the rooms the caller may see; `ban` for admins only. */
    sanctions: Type.Object(
      {
        mutes: Type.Array(
          Type.Object(
            {
              room: RoomRefSchema,
              since: Type.String({ format: 'date-time' }),
              until: Type.String({ format: 'date-time' }),
            },
            { additionalProperties: false },
          ),
        ),
        removals: Type.Array(
          Type.Object(
            { room: RoomRefSchema, since: Type.String({ format: 'date-time' }) },
            { additionalProperties: false },
          ),
        ),
        ban: Type.Optional(
          Type.Union([
            Type.Object({ since: Type.String({ format: 'date-time' }) }, { additionalProperties: false }),
            Type.Null(),
          ]),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type MemberDetail = Static<typeof MemberDetailSchema>;
export const MemberDetailResponseSchema = Type.Object({ member: MemberDetailSchema }, { additionalProperties: false });
