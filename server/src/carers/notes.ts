// Handover notes: what a room's moderators leave each other between stretches on duty. Read and written by
// the room's moderators and admins only; changed or deleted by their author only; the newest few kept.
import { schema, type Database } from '@kindred/db';
import { HANDOVER_NOTES_KEPT, type HandoverNote } from '@kindred/shared';
import { and, desc, eq, notInArray } from 'drizzle-orm';
import { ApiError } from '../errors.ts';
import type { Moderator } from '../moderation/authority.ts';
import { roomModeratedBy } from './access.ts';

const { handoverNotes, users } = schema;

export function createHandoverNotes({ db, now }: { db: Database; now: () => Date }) {
  async function notesOf(roomId: string, viewerId: string, only?: string): Promise<HandoverNote[]> {
    const rows = await db
      .select({ note: handoverNotes, displayName: users.displayName })
      .from(handoverNotes)
      .leftJoin(users, eq(users.id, handoverNotes.authorId))
      .where(and(eq(handoverNotes.roomId, roomId), only ? eq(handoverNotes.id, only) : undefined))
      .orderBy(desc(handoverNotes.createdAt), desc(handoverNotes.id))
      .limit(HANDOVER_NOTES_KEPT);
    return rows.map(({ note, displayName }) => ({
      id: note.id,
      body: note.body,
      author: displayName === null ? null : { id: note.authorId, displayName },
      mine: note.authorId === viewerId,
      createdAt: note.createdAt.toISOString(),
      updatedAt: note.updatedAt?.toISOString() ?? null,
    }));
  }

  async function ownNote(moderator: Moderator, slug: string, id: string) {
    const room = await roomModeratedBy(db, moderator, slug);
    const [note] = await db
      .select()
      .from(handoverNotes)
      .where(and(eq(handoverNotes.id, id), eq(handoverNotes.roomId, room.id)));
    if (!note) throw new ApiError('not_found', 'That note is no longer here.');
    if (note.authorId !== moderator.id) {
      throw new ApiError('forbidden', 'Only the moderator who wrote a note can change it.');
    }
    return { room, note };
  }

  return {
    async list(moderator: Moderator, slug: string): Promise<HandoverNote[]> {
      const room = await roomModeratedBy(db, moderator, slug);
      return notesOf(room.id, moderator.id);
    },

    async create(moderator: Moderator, slug: string, body: string): Promise<HandoverNote> {
      const room = await roomModeratedBy(db, moderator, slug);
      const [row] = await db
        .insert(handoverNotes)
        .values({ roomId: room.id, authorId: moderator.id, body: body.trim(), createdAt: now() })
        .returning({ id: handoverNotes.id });
      // A short history: notes past the newest few are let go.
      const kept = db
        .select({ id: handoverNotes.id })
        .from(handoverNotes)
        .where(eq(handoverNotes.roomId, room.id))
        .orderBy(desc(handoverNotes.createdAt), desc(handoverNotes.id))
        .limit(HANDOVER_NOTES_KEPT);
      await db.delete(handoverNotes).where(and(eq(handoverNotes.roomId, room.id), notInArray(handoverNotes.id, kept)));
      const [note] = await notesOf(room.id, moderator.id, row!.id);
      return note!;
    },

    async update(moderator: Moderator, slug: string, id: string, body: string): Promise<HandoverNote> {
      const { room } = await ownNote(moderator, slug, id);
      await db.update(handoverNotes).set({ body: body.trim(), updatedAt: now() }).where(eq(handoverNotes.id, id));
      const [note] = await notesOf(room.id, moderator.id, id);
      return note!;
    },

    async remove(moderator: Moderator, slug: string, id: string): Promise<void> {
      await ownNote(moderator, slug, id);
      await db.delete(handoverNotes).where(eq(handoverNotes.id, id));
    },
  };
}

export type HandoverNotes = ReturnType<typeof createHandoverNotes>;
