// Care for the carers: handover notes between a room's moderators, the state of one's duty (with the gentle
// nudge), stepping away, and a moderator's own month.
import { Type, type Static } from 'typebox';
import { SlugSchema } from './rooms.ts';

export const HANDOVER_NOTE_MAX = 2000;
/** How many notes a room keeps: a short history, newest first. */
export const HANDOVER_NOTES_KEPT = 10;

export const HandoverNoteSchema = Type.Object({
  id: Type.String(),
  body: Type.String(),
  author: Type.Union([Type.Object({ id: Type.String(), displayName: Type.String() }), Type.Null()]),
  /** The caller wrote it: only they may change or delete it. */
  mine: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
});
export type HandoverNote = Static<typeof HandoverNoteSchema>;

export const HandoverNotesResponseSchema = Type.Object({ notes: Type.Array(HandoverNoteSchema) });
export const HandoverNoteResponseSchema = Type.Object({ note: HandoverNoteSchema });

export const HandoverNoteBodySchema = Type.Object(
  {
    body: Type.String({
      minLength: 1,
      maxLength: HANDOVER_NOTE_MAX,
      pattern: '\\S',
      errorMessage: `A handover note is 1 to ${HANDOVER_NOTE_MAX} characters.`,
    }),
  },
  { additionalProperties: false },
);

export const HandoverNoteParamsSchema = Type.Object(
  { slug: SlugSchema, id: Type.String({ format: 'uuid', errorMessage: 'That is not a note id.' }) },
  { additionalProperties: false },
);

export const DutyStateSchema = Type.Object({
  onDuty: Type.Boolean(),
  /** When this stretch on duty began (going on duty again to change showName does not restart it). */
  since: Type.Union([Type.String(), Type.Null()]),
  /** When the gentle nudge is due: `since` plus the operator's DUTY_NUDGE_MINUTES. */
  nudgeAt: Type.Union([Type.String(), Type.Null()]),
  /** By the server's clock, the nudge is due now. */
  nudgeDue: Type.Boolean(),
  nudgeAfterMinutes: Type.Integer(),
});
export type DutyState = Static<typeof DutyStateSchema>;

export const StepAwayResponseSchema = Type.Object({
  /** The room's open urgent items that were handed on. */
  urgentItems: Type.Integer(),
  /** Who was told: the moderators still on duty, else the admins, or nobody (nothing urgent was open). */
  handedTo: Type.Union([Type.Literal('moderators'), Type.Literal('admins'), Type.Literal('none')]),
  recipients: Type.Integer(),
});
export type StepAwayResult = Static<typeof StepAwayResponseSchema>;

export const MyMonthResponseSchema = Type.Object({
  /** `YYYY-MM`, in UTC. */
  month: Type.String(),
  from: Type.String(),
  to: Type.String(),
  itemsResolved: Type.Integer(),
  actions: Type.Array(Type.Object({ action: Type.String(), count: Type.Integer() })),
  dutyMinutes: Type.Integer(),
});
export type MyMonth = Static<typeof MyMonthResponseSchema>;
