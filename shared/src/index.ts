// Everything server and web agree on: error codes and the schemas of the public API.
export * from './errors.ts';
export * from './schemas/common.ts';
export * from './schemas/health.ts';
export * from './schemas/accounts.ts';
export * from './schemas/rooms.ts';
export * from './schemas/reactions.ts';
export * from './schemas/chat.ts';
export * from './schemas/moderation.ts';
export * from './schemas/stories.ts';
export * from './schemas/care.ts';
export * from './schemas/members.ts';
export * from './schemas/recovery.ts';
export * from './schemas/carers.ts';
export * from './schemas/notices.ts';
