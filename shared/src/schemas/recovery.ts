// Getting back into an account without email: recovery codes, "Forgot your password?", and the one-time
// reset link an admin (or the operator's CLI) issues to a member who lost their codes too.
import { Type, type Static } from 'typebox';
import { PasswordSchema, UserSchema } from './accounts.ts';

/** Shown once, at sign-up or on renewal: never again, never stored in the clear. */
export const RecoveryCodeListSchema = Type.Array(
  Type.String({ description: 'XXXX-XXXX-XXXX-XXXX, from 2–9 and A–Z without look-alike letters' }),
  { description: 'Single-use recovery codes, shown this once.' },
);

export const RegisterResponseSchema = Type.Object(
  { user: UserSchema, recoveryCodes: RecoveryCodeListSchema },
  { additionalProperties: false },
);

export const RecoveryCodesStateSchema = Type.Object(
  {
    /** Unused codes left; 0 for a member who joined before codes existed, or who used them all. */
    remaining: Type.Integer({ minimum: 0 }),
    /** When the current set was made; null when there is none. */
    createdAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type RecoveryCodesState = Static<typeof RecoveryCodesStateSchema>;

export const NewRecoveryCodesBodySchema = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);

export const NewRecoveryCodesResponseSchema = Type.Object(
  { recoveryCodes: RecoveryCodeListSchema },
  { additionalProperties: false },
);

export const RecoverBodySchema = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    recoveryCode: Type.String({
      minLength: 1,
      maxLength: 64,
      errorMessage: 'Please type one of your recovery codes.',
    }),
    newPassword: PasswordSchema,
  },
  { additionalProperties: false },
);
export type RecoverBody = Static<typeof RecoverBodySchema>;

export const ResetTokenParamsSchema = Type.Object(
  { token: Type.String({ pattern: '^[a-z2-7]{32}$', errorMessage: 'That is not a reset link.' }) },
  { additionalProperties: false },
);

export const ResetLinkInfoSchema = Type.Object(
  { username: Type.String(), expiresAt: Type.String({ format: 'date-time' }) },
  { additionalProperties: false },
);

export const UseResetLinkBodySchema = Type.Object({ newPassword: PasswordSchema }, { additionalProperties: false });

export const MemberIdParamsSchema = Type.Object(
  { id: Type.String({ format: 'uuid', errorMessage: 'That is not a member id.' }) },
  { additionalProperties: false },
);

export const IssuedResetLinkSchema = Type.Object(
  {
    link: Type.Object(
      {
        /** The whole link, shown to the admin once: it is not stored and cannot be shown again. */
        url: Type.String(),
        expiresAt: Type.String({ format: 'date-time' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const ResetLinkStatusSchema = Type.Object(
  {
    link: Type.Union([
      Type.Object(
        {
          issuedAt: Type.String({ format: 'date-time' }),
          expiresAt: Type.String({ format: 'date-time' }),
          usedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);
export type ResetLinkStatus = Static<typeof ResetLinkStatusSchema>;
