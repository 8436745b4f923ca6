// The words of the staff mark (`author.staff`, computed by the server from the roles as they are now):
// what a member reads beside the name of someone who looks after Kindred.
import type { StaffMark } from '@kindred/shared';

const labels: Record<Exclude<StaffMark, null>, string> = {
  admin: 'Kindred team',
  moderator: 'Moderator',
  story_moderator: 'Story moderator',
};

/** "Moderator", "Story moderator", "Kindred team", or undefined for everyone else. */
export function staffLabel(mark: StaffMark | undefined): string | undefined {
  return mark ? labels[mark] : undefined;
}
