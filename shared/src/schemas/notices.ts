// The notice centre: which kinds of notice a member receives, the notices list's paging, and the room
// members a mention may name (the composer's picker).
import { Type, type Static } from 'typebox';

/** Kinds a member may turn off. A moderator's notice about their own words is always sent. */
export const noticeKinds = ['story_reply', 'message_reply', 'story_reactions', 'mention', 'hard_day'] as const;
export type NoticeKind = (typeof noticeKinds)[number];
export const noticeKindLabels: Record<NoticeKind, string> = {
  story_reply: 'Replies to my stories',
  message_reply: 'Replies to my messages in chat',
  story_reactions: 'Support sent to my stories',
  mention: 'When someone mentions me in chat',
  hard_day: 'A gentle note on a hard date I saved',
};

const kindFlags = Object.fromEntries(noticeKinds.map((kind) => [kind, Type.Boolean()])) as Record<
  NoticeKind,
  ReturnType<typeof Type.Boolean>
>;

export const NoticeSettingsSchema = Type.Object(
  { kinds: Type.Object(kindFlags, { additionalProperties: false }) },
  { additionalProperties: false },
);
export type NoticeSettings = Static<typeof NoticeSettingsSchema>;

export const NoticeSettingsBodySchema = Type.Object(
  {
    kinds: Type.Object(
      Object.fromEntries(noticeKinds.map((kind) => [kind, Type.Optional(Type.Boolean())])) as Record<
        NoticeKind,
        ReturnType<typeof Type.Optional<ReturnType<typeof Type.Boolean>>>
      >,
      {
        additionalProperties: false,
        minProperties: 1,
        errorMessage: `Say which kinds to turn on or off: ${noticeKinds.join(', ')}, each true or false.`,
      },
    ),
  },
  { additionalProperties: false },
);

export const NoticesQuerySchema = Type.Object(
  {
    /** Notices older than this (the createdAt of the last one seen): the next page. */
    before: Type.Optional(Type.String({ format: 'date-time', errorMessage: 'before is a date and time.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, errorMessage: 'limit is 1 to 50.' })),
  },
  { additionalProperties: false },
);

export const MentionableQuerySchema = Type.Object(
  { q: Type.Optional(Type.String({ maxLength: 64, errorMessage: 'A search is at most 64 characters.' })) },
  { additionalProperties: false },
);
export const MentionableSchema = Type.Object(
  {
    members: Type.Array(
      Type.Object({ username: Type.String(), displayName: Type.String() }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
export type Mentionable = Static<typeof MentionableSchema>['members'][number];
