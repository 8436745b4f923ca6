import { Type, type Static } from 'typebox';
import { AuthorSchema } from './common.ts';
import { SupportReactionSchema, supportReactionLabels, supportReactions } from './reactions.ts';

/** The shared content-warning vocabulary (CARE.md), with the labels people read. */
export const contentWarnings = [
  'pregnancy',
  'birth',
  'living_children',
  'rainbow_baby',
  'medical_detail',
  'later_loss',
  'tfmr',
  'infertility',
  'self_harm',
  'religion',
] as const;
export type ContentWarning = (typeof contentWarnings)[number];
export const contentWarningLabels: Record<ContentWarning, string> = {
  pregnancy: 'Pregnancy announcement or update',
  birth: 'Birth',
  living_children: 'Living children',
  rainbow_baby: 'Rainbow baby',
  medical_detail: 'Medical detail',
  later_loss: 'Later loss or stillbirth',
  tfmr: 'Termination for medical reasons',
  infertility: 'Infertility',
  self_harm: 'Self-harm or suicide',
  religion: 'Religion',
};

export const storyTags = [
  'mothers_story',
  'partners_story',
  'familys_story',
  'delayed_grief',
  'faith_and_meaning',
  'trying_again',
  'rituals_and_remembrance',
] as const;
export type StoryTag = (typeof storyTags)[number];
export const storyTagLabels: Record<StoryTag, string> = {
  mothers_story: 'A mother’s story',
  partners_story: 'A partner’s story',
  familys_story: 'A family’s story',
  delayed_grief: 'Delayed grief',
  faith_and_meaning: 'Faith and meaning',
  trying_again: 'Trying again',
  rituals_and_remembrance: 'Rituals and remembrance',
};

/** Stories take the shared support set (see reactions.ts), the same as chat. */
export const storyReactionKinds = supportReactions;
export const storyReactionLabels = supportReactionLabels;

export const ContentWarningSchema = Type.Union(
  [
    Type.Literal('pregnancy'),
    Type.Literal('birth'),
    Type.Literal('living_children'),
    Type.Literal('rainbow_baby'),
    Type.Literal('medical_detail'),
    Type.Literal('later_loss'),
    Type.Literal('tfmr'),
    Type.Literal('infertility'),
    Type.Literal('self_harm'),
    Type.Literal('religion'),
  ],
  { errorMessage: `Content warnings are ${contentWarnings.join(', ')}.` },
);
export const StoryTagSchema = Type.Union(
  [
    Type.Literal('mothers_story'),
    Type.Literal('partners_story'),
    Type.Literal('familys_story'),
    Type.Literal('delayed_grief'),
    Type.Literal('faith_and_meaning'),
    Type.Literal('trying_again'),
    Type.Literal('rituals_and_remembrance'),
  ],
  { errorMessage: `Tags are ${storyTags.join(', ')}.` },
);
export const StoryReactionKindSchema = SupportReactionSchema;

/** A set of warnings from the vocabulary: stories, replies, chat messages and candles all take this. */
export const ContentWarningsSchema = Type.Array(ContentWarningSchema, {
  maxItems: contentWarnings.length,
  uniqueItems: true,
});
const WarningsSchema = ContentWarningsSchema;
const TitleSchema = Type.String({
  minLength: 1,
  maxLength: 140,
  pattern: '\\S',
  errorMessage: 'Titles are 1 to 140 characters.',
});
const StoryBodySchema = Type.String({
  minLength: 1,
  maxLength: 40_000,
  pattern: '\\S',
  errorMessage: 'A story is 1 to 40,000 characters.',
});

export const CreateStoryBodySchema = Type.Object(
  {
    title: TitleSchema,
    body: StoryBodySchema,
    tags: Type.Array(StoryTagSchema, { maxItems: storyTags.length, uniqueItems: true }),
    contentWarnings: WarningsSchema,
    anonymous: Type.Boolean(),
    draft: Type.Optional(Type.Boolean({ description: 'Keep it as a draft, seen only by its author' })),
  },
  { additionalProperties: false },
);
export type CreateStoryBody = Static<typeof CreateStoryBodySchema>;

export const UpdateStoryBodySchema = Type.Object(
  {
    title: Type.Optional(TitleSchema),
    body: Type.Optional(StoryBodySchema),
    tags: Type.Optional(Type.Array(StoryTagSchema, { maxItems: storyTags.length, uniqueItems: true })),
    contentWarnings: Type.Optional(WarningsSchema),
    anonymous: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1, errorMessage: 'Send at least one field to change.' },
);
export type UpdateStoryBody = Static<typeof UpdateStoryBodySchema>;

export const CreateReplyBodySchema = Type.Object(
  {
    body: Type.String({
      minLength: 1,
      maxLength: 10_000,
      pattern: '\\S',
      errorMessage: 'A reply is 1 to 10,000 characters.',
    }),
    anonymous: Type.Optional(Type.Boolean()),
    contentWarnings: Type.Optional(WarningsSchema),
  },
  { additionalProperties: false },
);
export type CreateReplyBody = Static<typeof CreateReplyBodySchema>;

export const StoryReactionBodySchema = Type.Object(
  { kind: StoryReactionKindSchema, on: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

export const StoryListQuerySchema = Type.Object(
  {
    tag: Type.Optional(StoryTagSchema),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    mine: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** `null` for anonymous words, to everyone but their author. */
const StoryAuthorSchema = Type.Union([AuthorSchema, Type.Null()]);

export const StorySummarySchema = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    excerpt: Type.String(),
    tags: Type.Array(Type.String()),
    contentWarnings: Type.Array(Type.String()),
    /** The warnings that match the viewer's personal filter: show collapsed when not empty. */
    filtered: Type.Array(Type.String()),
    /** The viewer blocked its author: show collapsed, with a way to open it. */
    authorBlocked: Type.Boolean(),
    anonymous: Type.Boolean(),
    author: StoryAuthorSchema,
    mine: Type.Boolean(),
    status: Type.String(),
    /** Only for the author: why a pending story waits ('new_member' or 'risk'). */
    heldFor: Type.Union([Type.String(), Type.Null()]),
    hidden: Type.Boolean(),
    reactions: Type.Record(Type.String(), Type.Integer()),
    replyCount: Type.Integer(),
    createdAt: Type.String({ format: 'date-time' }),
    publishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type StorySummary = Static<typeof StorySummarySchema>;

export const StorySchema = Type.Object(
  {
    ...StorySummarySchema.properties,
    bodyHtml: Type.String(),
    /** The Markdown as written: only for its author (to edit). */
    body: Type.Optional(Type.String()),
    myReactions: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
export type Story = Static<typeof StorySchema>;

export const ReplySchema = Type.Object(
  {
    id: Type.String(),
    storyId: Type.String(),
    bodyHtml: Type.String(),
    contentWarnings: Type.Array(Type.String()),
    filtered: Type.Array(Type.String()),
    authorBlocked: Type.Boolean(),
    anonymous: Type.Boolean(),
    author: StoryAuthorSchema,
    mine: Type.Boolean(),
    hidden: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type Reply = Static<typeof ReplySchema>;

export const StoryListResponseSchema = Type.Object(
  { stories: Type.Array(StorySummarySchema), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
);
export const StoryResponseSchema = Type.Object({ story: StorySchema }, { additionalProperties: false });
export const StoryWithRepliesSchema = Type.Object(
  { story: StorySchema, replies: Type.Array(ReplySchema) },
  { additionalProperties: false },
);
export const ReplyResponseSchema = Type.Object({ reply: ReplySchema }, { additionalProperties: false });
export const StoryReactionsResponseSchema = Type.Object(
  { reactions: Type.Record(Type.String(), Type.Integer()), myReactions: Type.Array(Type.String()) },
  { additionalProperties: false },
);
export const StoryParamsSchema = Type.Object(
  { id: Type.String({ format: 'uuid', errorMessage: 'That is not a story id.' }) },
  { additionalProperties: false },
);
export const StoryModeratorParamsSchema = Type.Object(
  { userId: Type.String({ format: 'uuid', errorMessage: 'That is not a member id.' }) },
  { additionalProperties: false },
);

export const FiltersSchema = Type.Object({ hiddenWarnings: WarningsSchema }, { additionalProperties: false });
export type Filters = Static<typeof FiltersSchema>;
