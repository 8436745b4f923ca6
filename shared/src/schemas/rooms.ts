import { Type, type Static } from 'typebox';

export const audiences = ['mothers', 'partners', 'families', 'everyone'] as const;
export type Audience = (typeof audiences)[number];

/** Who a member is here as, if they choose to say; `prefer_not` is a full answer too. */
export const identities = ['lost_pregnancy', 'partner', 'family_friend', 'prefer_not'] as const;
export type Identity = (typeof identities)[number];

/** The audience whose rooms fit someone best, or undefined when every room fits equally. */
export function audienceFor(identity: Identity | null | undefined): Audience | undefined {
  switch (identity) {
    case 'lost_pregnancy':
      return 'mothers';
    case 'partner':
      return 'partners';
    case 'family_friend':
      return 'families';
    default:
      return undefined;
  }
}

export const AudienceSchema = Type.Union(
  [Type.Literal('mothers'), Type.Literal('partners'), Type.Literal('families'), Type.Literal('everyone')],
  { errorMessage: `Audience is one of ${audiences.join(', ')}.` },
);
export const IdentitySchema = Type.Union(
  [Type.Literal('lost_pregnancy'), Type.Literal('partner'), Type.Literal('family_friend'), Type.Literal('prefer_not')],
  { errorMessage: `Identity is one of ${identities.join(', ')}.` },
);

export const SlugSchema = Type.String({
  pattern: '^[a-z0-9-]{2,48}$',
  errorMessage: 'Room addresses are 2 to 48 lower-case letters, numbers or hyphens.',
});

const NameSchema = Type.String({
  minLength: 1,
  maxLength: 80,
  pattern: '\\S',
  errorMessage: 'Names are 1 to 80 characters.',
});
const DescriptionSchema = Type.String({
  minLength: 1,
  maxLength: 1000,
  pattern: '\\S',
  errorMessage: 'Descriptions are 1 to 1,000 characters.',
});
const RulesSchema = Type.String({
  minLength: 1,
  maxLength: 10_000,
  pattern: '\\S',
  errorMessage: 'Rules are 1 to 10,000 characters of Markdown.',
});
const ContentNoteSchema = Type.Union([Type.String({ minLength: 1, maxLength: 500 }), Type.Null()], {
  errorMessage: 'A content note is up to 500 characters, or null for none.',
});
const SlowModeSchema = Type.Integer({ minimum: 0, maximum: 86_400, errorMessage: 'Slow mode is 0 to 86,400 seconds.' });

export const RoleSchema = Type.Union([Type.Literal('member'), Type.Literal('moderator'), Type.Null()]);

export const ModeratorSchema = Type.Object(
  { id: Type.String(), displayName: Type.String() },
  { additionalProperties: false },
);

export const RoomSchema = Type.Object(
  {
    id: Type.String(),
    slug: Type.String(),
    name: Type.String(),
    description: Type.String(),
    audience: AudienceSchema,
    rules: Type.String({ description: 'Markdown' }),
    contentNote: Type.Union([Type.String(), Type.Null()]),
    memberCount: Type.Integer(),
    joined: Type.Boolean(),
    myRole: RoleSchema,
    slowModeSeconds: Type.Integer(),
    locked: Type.Boolean(),
    archived: Type.Boolean(),
    /**
     * The room's moderators: all of them for admins and the room's own moderators; for everyone else only
     * those on duty now who chose to let members see their name (the moderator's choice wins).
     */
    moderators: Type.Array(ModeratorSchema),
    /** How many moderators the room has, named or not. */
    moderatorCount: Type.Integer(),
    /** Moderators on duty now: how many, and the names of those who chose to be seen. */
    onDuty: Type.Object({ count: Type.Integer(), names: Type.Array(Type.String()) }, { additionalProperties: false }),
    // Only for a room the signed-in member has joined (server/src/reads/):
    /** The last seq the member has read here; null when they have never opened it. */
    readSeq: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
    /**
     * Messages after readSeq (after joining, when never opened) that the member would see: not their own, nor
     * hidden, deleted or by members they blocked. Counted up to UNREAD_MAX.
     */
    unread: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Members with a socket subscribed to the room now, on every server instance. */
    hereNow: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Whether one of the room's moderators is on duty now. */
    moderatorOnDuty: Type.Optional(Type.Boolean()),
    /** `GET /api/rooms/:slug` only: display names of members here now who chose to be seen (`showPresence`). */
    hereNames: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);
export type Room = Static<typeof RoomSchema>;

/** Unread counts stop at this many: the web app shows "999+" past 999. */
export const UNREAD_MAX = 1000;

export const ReadBodySchema = Type.Object(
  {
    seq: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      errorMessage: 'seq is the number of the last event read, 0 or more.',
    }),
  },
  { additionalProperties: false },
);
export const ReadResponseSchema = Type.Object(
  { readSeq: Type.Integer(), unread: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);
export type ReadPosition = Static<typeof ReadResponseSchema>;

export const RoomResponseSchema = Type.Object({ room: RoomSchema }, { additionalProperties: false });
export const RoomsResponseSchema = Type.Object({ rooms: Type.Array(RoomSchema) }, { additionalProperties: false });

export const RoomParamsSchema = Type.Object({ slug: SlugSchema }, { additionalProperties: false });
export const RoomUserParamsSchema = Type.Object(
  { slug: SlugSchema, userId: Type.String({ format: 'uuid', errorMessage: 'That is not a member id.' }) },
  { additionalProperties: false },
);

export const CreateRoomBodySchema = Type.Object(
  {
    slug: SlugSchema,
    name: NameSchema,
    description: DescriptionSchema,
    audience: AudienceSchema,
    rules: RulesSchema,
    contentNote: Type.Optional(ContentNoteSchema),
    slowModeSeconds: Type.Optional(SlowModeSchema),
  },
  { additionalProperties: false },
);
export type CreateRoomBody = Static<typeof CreateRoomBodySchema>;

export const UpdateRoomBodySchema = Type.Object(
  {
    name: Type.Optional(NameSchema),
    description: Type.Optional(DescriptionSchema),
    audience: Type.Optional(AudienceSchema),
    rules: Type.Optional(RulesSchema),
    contentNote: Type.Optional(ContentNoteSchema),
    slowModeSeconds: Type.Optional(SlowModeSchema),
    archived: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1, errorMessage: 'Send at least one field to change.' },
);
export type UpdateRoomBody = Static<typeof UpdateRoomBodySchema>;

export const JoinRoomBodySchema = Type.Object(
  { acceptRules: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
