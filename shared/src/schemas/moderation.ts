import { Type, type Static } from 'typebox';
import { MessageSchema } from './chat.ts';
import { ContentWarningSchema } from './stories.ts';

export const reportReasons = ['harassment', 'spam', 'triggering_content', 'worried_about_member', 'other'] as const;
export type ReportReason = (typeof reportReasons)[number];
export const reportReasonLabels: Record<ReportReason, string> = {
  harassment: 'Unkind or harassing',
  spam: 'Spam or selling',
  triggering_content: 'Upsetting content without a content note',
  worried_about_member: "I'm worried about this person",
  other: 'Something else',
};

/** What reports, queue items and actions can be about. Stories and replies plug in here later. */
export const ReportTargetTypeSchema = Type.Union(
  [Type.Literal('message'), Type.Literal('user'), Type.Literal('story'), Type.Literal('reply')],
  { errorMessage: 'Reports are about a message, a member, a story or a reply.' },
);
export const ActionTargetTypeSchema = Type.Union(
  [
    Type.Literal('message'),
    Type.Literal('user'),
    Type.Literal('room'),
    Type.Literal('report'),
    Type.Literal('story'),
    Type.Literal('reply'),
    Type.Literal('candle'),
  ],
  { errorMessage: 'Actions are about a message, a member, a room, a report, a story, a reply or a candle.' },
);

const IdSchema = Type.String({ format: 'uuid', errorMessage: 'That is not a valid id.' });

export const CreateReportBodySchema = Type.Object(
  {
    target: Type.Object({ type: ReportTargetTypeSchema, id: IdSchema }, { additionalProperties: false }),
    reason: Type.Union(
      [
        Type.Literal('harassment'),
        Type.Literal('spam'),
        Type.Literal('triggering_content'),
        Type.Literal('worried_about_member'),
        Type.Literal('other'),
      ],
      { errorMessage: `The reason is one of ${reportReasons.join(', ')}.` },
    ),
    note: Type.Optional(Type.String({ maxLength: 1000, errorMessage: 'A note is up to 1,000 characters.' })),
    room: Type.Optional(
      Type.String({ pattern: '^[a-z0-9-]{2,48}$', description: 'For a member report: where it happened' }),
    ),
  },
  { additionalProperties: false },
);
export type CreateReportBody = Static<typeof CreateReportBodySchema>;

export const ReportSchema = Type.Object(
  {
    id: Type.String(),
    target: Type.Object({ type: Type.String(), id: Type.String() }),
    reason: Type.String(),
    note: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

export const moderationActions = [
  'hide',
  'restore',
  'mute',
  'unmute',
  'remove_from_room',
  'readmit',
  'ban',
  'unban',
  'set_slow_mode',
  'lock_room',
  'unlock_room',
  'resolve_report',
  'approve_story',
  'reject_story',
] as const;
export type ModerationActionName = (typeof moderationActions)[number];

export const CreateActionBodySchema = Type.Object(
  {
    action: Type.Union(
      [
        Type.Literal('hide'),
        Type.Literal('restore'),
        Type.Literal('mute'),
        Type.Literal('unmute'),
        Type.Literal('remove_from_room'),
        Type.Literal('readmit'),
        Type.Literal('ban'),
        Type.Literal('unban'),
        Type.Literal('set_slow_mode'),
        Type.Literal('lock_room'),
        Type.Literal('unlock_room'),
        Type.Literal('resolve_report'),
        Type.Literal('approve_story'),
        Type.Literal('reject_story'),
      ],
      { errorMessage: `The action is one of ${moderationActions.join(', ')}.` },
    ),
    target: Type.Object({ type: ActionTargetTypeSchema, id: IdSchema }, { additionalProperties: false }),
    reason: Type.String({
      minLength: 1,
      maxLength: 1000,
      pattern: '\\S',
      errorMessage:
        'Please give a reason (up to 1,000 characters): it is recorded and, for hides, shown to the author.',
    }),
    room: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{2,48}$', errorMessage: 'room is a room address.' })),
    durationMinutes: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 525_600, errorMessage: 'A mute lasts 1 minute to 1 year.' }),
    ),
    seconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 86_400, errorMessage: 'Slow mode is 0 to 86,400 seconds.' }),
    ),
  },
  { additionalProperties: false },
);
export type CreateActionBody = Static<typeof CreateActionBodySchema>;

export const AuditEntrySchema = Type.Object(
  {
    id: Type.String(),
    actor: Type.Object({ id: Type.String(), displayName: Type.Union([Type.String(), Type.Null()]) }),
    action: Type.String(),
    target: Type.Object({ type: Type.String(), id: Type.String() }),
    room: Type.Union([Type.String(), Type.Null()]),
    reason: Type.String(),
    durationMinutes: Type.Union([Type.Integer(), Type.Null()]),
    seconds: Type.Union([Type.Integer(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type AuditEntry = Static<typeof AuditEntrySchema>;

export const QueueItemSchema = Type.Object(
  {
    id: Type.String(),
    target: Type.Object({ type: Type.String(), id: Type.String() }),
    room: Type.Union([Type.String(), Type.Null()]),
    urgent: Type.Boolean(),
    automaticReason: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    reports: Type.Array(
      Type.Object({
        reason: Type.String(),
        note: Type.Union([Type.String(), Type.Null()]),
        createdAt: Type.String({ format: 'date-time' }),
        /** Only for admins: volunteer moderators never learn who reported. */
        reporter: Type.Optional(Type.Object({ id: Type.String(), displayName: Type.String() })),
      }),
    ),
    subject: Type.Union([Type.Object({ id: Type.String(), displayName: Type.String() }), Type.Null()]),
    context: Type.Object({
      message: Type.Union([MessageSchema, Type.Null()]),
      surrounding: Type.Array(MessageSchema),
      authorRecent: Type.Array(MessageSchema),
      earlierActions: Type.Array(AuditEntrySchema),
      /** For a story or a reply: what it says, rendered. */
      story: Type.Optional(
        Type.Object({
          title: Type.String(),
          bodyHtml: Type.String(),
          status: Type.String(),
          /** The content notes its writer chose (and any a moderator added). */
          contentWarnings: Type.Array(Type.String()),
          /** A story's themes (its tags); a reply has none. */
          tags: Type.Array(Type.String()),
          /** Shared anonymously: then the item names nobody (`subject` is null). */
          anonymous: Type.Boolean(),
          /** Moderators have filters too: collapse these, and let them open it. */
          filtered: Type.Array(Type.String()),
        }),
      ),
    }),
  },
  { additionalProperties: false },
);
export type QueueItem = Static<typeof QueueItemSchema>;

export const QueueResponseSchema = Type.Object({ items: Type.Array(QueueItemSchema) }, { additionalProperties: false });
export const LogQuerySchema = Type.Object(
  { room: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{2,48}$' })) },
  { additionalProperties: false },
);
export const LogResponseSchema = Type.Object(
  { actions: Type.Array(AuditEntrySchema) },
  { additionalProperties: false },
);
export const ActionResponseSchema = Type.Object({ action: AuditEntrySchema }, { additionalProperties: false });
export const ReportResponseSchema = Type.Object({ report: ReportSchema }, { additionalProperties: false });

export const DutyBodySchema = Type.Object(
  { showName: Type.Optional(Type.Boolean({ description: 'Let members see who is on duty' })) },
  { additionalProperties: false },
);

const SanctionedMemberSchema = Type.Object(
  { id: Type.String(), displayName: Type.String() },
  { additionalProperties: false },
);
/** A room's sanctions in force now, for its moderators and admins, so each can be lifted. */
export const RoomSanctionsResponseSchema = Type.Object(
  {
    mutes: Type.Array(
      Type.Object(
        {
          user: SanctionedMemberSchema,
          since: Type.String({ format: 'date-time' }),
          until: Type.String({ format: 'date-time' }),
        },
        { additionalProperties: false },
      ),
    ),
    /** Removed members, who cannot join again until a moderator lets them back (`readmit`). */
    removals: Type.Array(
      Type.Object(
        { user: SanctionedMemberSchema, since: Type.String({ format: 'date-time' }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type RoomSanctions = Static<typeof RoomSanctionsResponseSchema>;
/** Members banned from Kindred now, for admins. */
export const BansResponseSchema = Type.Object(
  {
    bans: Type.Array(
      Type.Object(
        { user: SanctionedMemberSchema, since: Type.String({ format: 'date-time' }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type Bans = Static<typeof BansResponseSchema>;

export const NoticeSchema = Type.Object(
  {
    id: Type.String(),
    kind: Type.String(),
    text: Type.String(),
    messageId: Type.Union([Type.String(), Type.Null()]),
    /** The words that caused it (a reply, a mention), folded when `filtered` is not empty; null for others. */
    preview: Type.Union([Type.String(), Type.Null()]),
    /** Where it points in the app (a story, a room), if anywhere. */
    link: Type.Union([Type.String(), Type.Null()]),
    /** Warnings of the content the text quotes that match my filter: show collapsed when not empty. */
    filtered: Type.Array(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
    read: Type.Boolean(),
  },
  { additionalProperties: false },
);
export const NoticesResponseSchema = Type.Object(
  { notices: Type.Array(NoticeSchema) },
  { additionalProperties: false },
);
export const NoticeParamsSchema = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

const HelplineLineSchema = Type.Object(
  {
    name: Type.String(),
    phone: Type.Optional(Type.String()),
    text: Type.Optional(Type.String()),
    url: Type.Optional(Type.String()),
    hours: Type.Optional(Type.String()),
    description: Type.String(),
  },
  { additionalProperties: false },
);
export const CrisisResourcesSchema = Type.Object(
  {
    country: Type.Union([Type.String(), Type.Null()]),
    emergency: Type.Union([Type.String(), Type.Null()]),
    lines: Type.Array(HelplineLineSchema),
    international: Type.Array(HelplineLineSchema),
  },
  { additionalProperties: false },
);
export type CrisisResources = Static<typeof CrisisResourcesSchema>;
export const CrisisQuerySchema = Type.Object(
  {
    country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$', errorMessage: 'country is a two-letter code.' })),
    /** `international`: the international list only, whatever country the member saved. */
    only: Type.Optional(Type.Literal('international', { errorMessage: 'only is "international", or left out.' })),
  },
  { additionalProperties: false },
);
export const CountriesResponseSchema = Type.Object(
  { countries: Type.Array(Type.Object({ code: Type.String(), name: Type.String() }, { additionalProperties: false })) },
  { additionalProperties: false },
);

/** Content a moderator can add warnings to, as it appears in the path. */
export const WarningTargetParamsSchema = Type.Object(
  {
    kind: Type.Union(
      [Type.Literal('messages'), Type.Literal('stories'), Type.Literal('replies'), Type.Literal('candles')],
      {
        errorMessage: 'Warnings can be added to messages, stories, replies or candles.',
      },
    ),
    id: IdSchema,
  },
  { additionalProperties: false },
);
export const AddWarningsBodySchema = Type.Object(
  {
    contentWarnings: Type.Array(ContentWarningSchema, { minItems: 1, maxItems: 10, uniqueItems: true }),
    reason: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1000,
        pattern: '\\S',
        errorMessage: 'A reason is up to 1,000 characters.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type AddWarningsBody = Static<typeof AddWarningsBodySchema>;
export const AddWarningsResponseSchema = Type.Object(
  { contentWarnings: Type.Array(Type.String()), action: AuditEntrySchema },
  { additionalProperties: false },
);

/** The whole crisis-line list: the shipped file, or the one HELPLINES_FILE names. */
export const HelplineDataSchema = Type.Object(
  {
    updated: Type.String(),
    international: Type.Array(HelplineLineSchema, { minItems: 1 }),
    countries: Type.Record(
      Type.String({ pattern: '^[A-Z]{2}$' }),
      Type.Object(
        {
          name: Type.String({ minLength: 1 }),
          emergency: Type.String({ minLength: 1 }),
          lines: Type.Array(HelplineLineSchema),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type HelplineData = Static<typeof HelplineDataSchema>;
export const ResourcesResponseSchema = Type.Object(
  {
    updated: Type.String(),
    international: Type.Array(HelplineLineSchema),
    countries: Type.Array(
      Type.Object(
        { code: Type.String(), name: Type.String(), emergency: Type.String(), lines: Type.Array(HelplineLineSchema) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
