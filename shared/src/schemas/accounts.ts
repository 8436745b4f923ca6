import { Type, type Static } from 'typebox';
import { IdentitySchema } from './rooms.ts';

const CountryCodeSchema = Type.Union([Type.String({ pattern: '^[A-Z]{2}$' }), Type.Null()], {
  errorMessage: 'country is a two-letter code such as GB, or null.',
});

// `errorMessage` is what a person reads when the field is wrong (see server/src/plugins/errors.ts).
export const UsernameSchema = Type.String({
  minLength: 3,
  maxLength: 32,
  pattern: '^[A-Za-z0-9_]+$',
  description: 'A pseudonym: 3–32 letters, numbers or underscores; stored lower-case.',
  errorMessage: 'Usernames are 3 to 32 letters, numbers or underscores (no spaces).',
});

export const PasswordSchema = Type.String({
  minLength: 8,
  maxLength: 128,
  description: '8–128 characters; very common passwords are refused.',
  errorMessage: 'Passwords are 8 to 128 characters long.',
});

export const DisplayNameSchema = Type.String({
  minLength: 1,
  maxLength: 48,
  pattern: '\\S',
  description:
    'The name other members see; 1–48 characters, none of them invisible or turning text around (bidi controls, zero-width characters, Hangul fillers, tags); stored in NFC.',
  errorMessage: 'Display names are 1 to 48 characters.',
});

export const UserSchema = Type.Object(
  {
    id: Type.String(),
    username: Type.String(),
    displayName: Type.String(),
    isAdmin: Type.Boolean(),
    identity: Type.Union([IdentitySchema, Type.Null()], { description: 'Who they are here as, if they said.' }),
    country: Type.Union([Type.String(), Type.Null()], { description: 'For crisis resources, if they chose one.' }),
    timeZone: Type.Union([Type.String(), Type.Null()], { description: 'For "today" on hard dates; UTC when null.' }),
    showPresence: Type.Boolean({
      description: 'Whether members of a room see my name among those here now (off unless I choose it).',
    }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type User = Static<typeof UserSchema>;

export const UserResponseSchema = Type.Object({ user: UserSchema }, { additionalProperties: false });

/** Who is signed in, without an error for those who are not: what a page asks before it draws. */
export const SessionStateSchema = Type.Object(
  {
    user: Type.Union([UserSchema, Type.Null()]),
    /** True for admins, story moderators and volunteer moderators of any room: they see the dashboard. */
    moderates: Type.Boolean(),
    /** True for admins and story moderators: they may hide stories, replies and candles (the wall's Hide). */
    moderatesStories: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const RegisterBodySchema = Type.Object(
  { username: UsernameSchema, password: PasswordSchema, displayName: Type.Optional(DisplayNameSchema) },
  { additionalProperties: false },
);
export type RegisterBody = Static<typeof RegisterBodySchema>;

export const LoginBodySchema = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBodySchema>;

export const UpdateMeBodySchema = Type.Object(
  {
    displayName: Type.Optional(DisplayNameSchema),
    identity: Type.Optional(Type.Union([IdentitySchema, Type.Null()])),
    country: Type.Optional(CountryCodeSchema),
    timeZone: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()], {
        errorMessage: 'timeZone is an IANA name such as Europe/London, or null.',
      }),
    ),
    showPresence: Type.Optional(Type.Boolean({ errorMessage: 'showPresence is true or false.' })),
  },
  { additionalProperties: false, minProperties: 1, errorMessage: 'Send at least one field to change.' },
);
export type UpdateMeBody = Static<typeof UpdateMeBodySchema>;

export const ChangePasswordBodySchema = Type.Object(
  { currentPassword: Type.String({ minLength: 1, maxLength: 128 }), newPassword: PasswordSchema },
  { additionalProperties: false },
);
export type ChangePasswordBody = Static<typeof ChangePasswordBodySchema>;

export const DeleteAccountBodySchema = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);

export const SessionSchema = Type.Object(
  {
    id: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    lastSeenAt: Type.String({ format: 'date-time' }),
    current: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type Session = Static<typeof SessionSchema>;

export const SessionsResponseSchema = Type.Object(
  { sessions: Type.Array(SessionSchema) },
  { additionalProperties: false },
);

export const SessionParamsSchema = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9]+$' }) },
  { additionalProperties: false },
);

/** The export: one object keyed by kind; each feature adds its own key. */
export const ExportSchema = Type.Record(Type.String(), Type.Unknown());

export const BlockParamsSchema = Type.Object(
  { userId: Type.String({ format: 'uuid', errorMessage: 'That is not a member id.' }) },
  { additionalProperties: false },
);
export const BlocksResponseSchema = Type.Object(
  {
    blocks: Type.Array(
      Type.Object(
        { id: Type.String(), displayName: Type.String(), blockedAt: Type.String({ format: 'date-time' }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
