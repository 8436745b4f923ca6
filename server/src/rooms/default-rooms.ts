// The rooms Kindred opens with on its first start. Written with care (see CARE.md): plain words, every
// loss counted, and a room whose subject can hurt others says so before anyone walks in.
import { schema, type Database } from '@kindred/db';
import type { Audience } from '@kindred/shared';

const { platformMeta, rooms } = schema;

const sharedRules = `1. **Be gentle.** Everyone here is hurting, and every loss counts — early or late, first or fifth.
2. **Don't compare losses** or tell anyone how they should feel. There is no right way to grieve.
3. **Share what helped you rather than giving advice**, unless someone asks for it.
4. **Add a content note** when you talk about pregnancy, birth, living children or medical details.
5. **What is shared here stays here.** Please don't copy anyone's words elsewhere.
6. **Kindred is peer support, not a crisis service.** If you might be in danger, please go to [Help now](/help).`;

interface DefaultRoom {
  slug: string;
  name: string;
  audience: Audience;
  description: string;
  extraRules?: string;
  contentNote?: string;
}

export const defaultRooms: DefaultRoom[] = [
  {
    slug: 'mothers',
    name: 'Mothers',
    audience: 'mothers',
    description:
      'For anyone who has lost a pregnancy, at any stage and in any way. However early or late, your loss is real here.',
  },
  {
    slug: 'partners',
    name: 'Partners',
    audience: 'partners',
    description:
      'For partners who are grieving too, often unseen. Room for your own grief, and for how to hold someone else while you hurt.',
    extraRules: 'Partners of every gender and in every kind of relationship are welcome.',
  },
  {
    slug: 'family-and-friends',
    name: 'Family and friends',
    audience: 'families',
    description:
      'For grandparents, siblings, friends and everyone who loves someone through a loss, and who is grieving themselves.',
    extraRules:
      'Speak about the person you love with their privacy in mind: no names, no details they have not shared.',
  },
  {
    slug: 'delayed-grief',
    name: 'Delayed grief and hard dates',
    audience: 'everyone',
    description:
      "For grief that arrives late or comes back: a due date, an anniversary, a friend's announcement. It is never too late to talk about it.",
  },
  {
    slug: 'pregnancy-after-loss',
    name: 'Pregnancy after loss',
    audience: 'everyone',
    description: 'For those who are pregnant again after a loss, holding hope and fear at the same time.',
    contentNote:
      "This room talks about current pregnancies: scans, bumps and milestones. If that hurts right now, it's okay to stay away — it will be here if you ever want it.",
    extraRules: 'Please keep pregnancy updates inside this room and add a content note to them.',
  },
  {
    slug: 'faith-and-meaning',
    name: 'Faith, spirit and meaning',
    audience: 'everyone',
    description:
      'For conversations about faith, doubt, rituals and finding meaning after loss — from any tradition, or none.',
    extraRules: 'Every belief, and no belief, is respected here. Share your own path; never press it on anyone.',
  },
];

export function rulesFor(room: Pick<DefaultRoom, 'extraRules'>): string {
  return room.extraRules ? `${sharedRules}\n7. ${room.extraRules}` : sharedRules;
}

/**
 * Creates the default rooms once in the life of a database. The marker row makes this safe for several
 * instances starting together, and keeps an admin's later archiving of a default room final.
 */
export async function ensureDefaultRooms(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    const marked = await tx
      .insert(platformMeta)
      .values({ key: 'default_rooms_created', value: new Date().toISOString() })
      .onConflictDoNothing()
      .returning();
    if (marked.length === 0) return;
    await tx
      .insert(rooms)
      .values(
        defaultRooms.map((room, index) => ({
          slug: room.slug,
          name: room.name,
          audience: room.audience,
          description: room.description,
          rules: rulesFor(room),
          contentNote: room.contentNote ?? null,
          position: index * 10,
        })),
      )
      .onConflictDoNothing({ target: rooms.slug });
  });
}
