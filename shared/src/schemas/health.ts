import { Type, type Static } from 'typebox';

export const HealthSchema = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false });
export type Health = Static<typeof HealthSchema>;

export const ReadySchema = Type.Object(
  {
    status: Type.Literal('ready'),
    database: Type.Union([Type.Literal('postgres'), Type.Literal('pglite')]),
    migrations: Type.Integer({ description: 'How many migrations are applied.' }),
  },
  { additionalProperties: false },
);
export type Ready = Static<typeof ReadySchema>;
