import { Type, type Static } from 'typebox';
import { ContentWarningsSchema } from './stories.ts';

const Id = Type.String({ format: 'uuid', errorMessage: 'That is not a valid id.' });
export const CareIdParamsSchema = Type.Object({ id: Id }, { additionalProperties: false });

export const JournalEntrySchema = Type.Object(
  {
    id: Type.String(),
    prompt: Type.Union([Type.String(), Type.Null()]),
    body: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type JournalEntry = Static<typeof JournalEntrySchema>;
const JournalBody = Type.String({
  minLength: 1,
  maxLength: 20_000,
  pattern: '\\S',
  errorMessage: 'An entry is 1 to 20,000 characters.',
});
export const CreateJournalEntryBodySchema = Type.Object(
  { body: JournalBody, prompt: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })) },
  { additionalProperties: false },
);
export const UpdateJournalEntryBodySchema = Type.Object({ body: JournalBody }, { additionalProperties: false });
export const JournalListSchema = Type.Object(
  { entries: Type.Array(JournalEntrySchema) },
  { additionalProperties: false },
);
export const JournalEntryResponseSchema = Type.Object({ entry: JournalEntrySchema }, { additionalProperties: false });
export const PromptsSchema = Type.Object(
  { prompts: Type.Array(Type.String()), today: Type.String() },
  { additionalProperties: false },
);

export const hardDateKinds = ['due_date', 'loss', 'anniversary', 'other'] as const;
export const HardDateSchema = Type.Object(
  {
    id: Type.String(),
    label: Type.String(),
    kind: Type.String(),
    month: Type.Integer(),
    day: Type.Integer(),
    year: Type.Union([Type.Integer(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type HardDate = Static<typeof HardDateSchema>;
export const CreateHardDateBodySchema = Type.Object(
  {
    label: Type.String({ minLength: 1, maxLength: 80, pattern: '\\S', errorMessage: 'A label is 1 to 80 characters.' }),
    kind: Type.Union(
      [Type.Literal('due_date'), Type.Literal('loss'), Type.Literal('anniversary'), Type.Literal('other')],
      { errorMessage: `The kind is one of ${hardDateKinds.join(', ')}.` },
    ),
    month: Type.Integer({ minimum: 1, maximum: 12, errorMessage: 'month is 1 to 12.' }),
    day: Type.Integer({ minimum: 1, maximum: 31, errorMessage: 'day is 1 to 31.' }),
    year: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2200, errorMessage: 'year is a four-digit year.' })),
  },
  { additionalProperties: false },
);
export type CreateHardDateBody = Static<typeof CreateHardDateBodySchema>;
export const HardDatesSchema = Type.Object({ dates: Type.Array(HardDateSchema) }, { additionalProperties: false });
export const HardDateResponseSchema = Type.Object({ date: HardDateSchema }, { additionalProperties: false });

export const TodaySchema = Type.Object(
  {
    /** The member's own date, in their time zone. */
    date: Type.String(),
    mantra: Type.String(),
    /** The member's hard dates that fall today: shown with a gentle note, never as a reminder they didn't ask for. */
    hardDates: Type.Array(HardDateSchema),
  },
  { additionalProperties: false },
);

export const CandleSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    words: Type.Union([Type.String(), Type.Null()]),
    contentWarnings: Type.Array(Type.String()),
    /** The warnings that match the viewer's personal filter. */
    filtered: Type.Array(Type.String()),
    /** The viewer blocked whoever lit it (never set for an anonymous candle). */
    authorBlocked: Type.Boolean(),
    anonymous: Type.Boolean(),
    litBy: Type.Union([Type.Object({ id: Type.String(), displayName: Type.String() }), Type.Null()]),
    mine: Type.Boolean(),
    hidden: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type Candle = Static<typeof CandleSchema>;
export const CandlesSchema = Type.Object(
  { candles: Type.Array(CandleSchema), count: Type.Integer() },
  { additionalProperties: false },
);
export const LightCandleBodySchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 60, errorMessage: 'A name is up to 60 characters.' })),
    words: Type.Optional(
      Type.String({ minLength: 1, maxLength: 280, errorMessage: 'A few words: up to 280 characters.' }),
    ),
    anonymous: Type.Optional(Type.Boolean()),
    contentWarnings: Type.Optional(ContentWarningsSchema),
  },
  { additionalProperties: false },
);
export const CandleResponseSchema = Type.Object({ candle: CandleSchema }, { additionalProperties: false });
