/**
 * What staff write about a person — private notes, labels, trust — checked by one set of
 * rules that Admin → People and the JSON API both apply; and who may open People at all.
 * The writes themselves are the store's (`PeopleRepository`, core/people.ts).
 */
import { LABEL_MAX, NOTE_MAX, type PersonTrust } from './people.ts';
import type { Role, User } from './store.ts';

/** People crosses every post's conversations: the owner and moderators, who see them all. */
export const peopleRoles: readonly Role[] = ['owner', 'moderator'];
export const peopleRefusal = 'People is for the owner and moderators: it shows conversations across every post.';
export const mayOpenPeople = (user: Pick<User, 'role'>): boolean => peopleRoles.includes(user.role);

export const TRUST_REASON_MAX = 200;

/** A note as it is saved: Windows line ends made plain, blank space around it dropped. */
export const noteText = (body: string): string => body.replace(/\r\n/g, '\n').trim();

/** Why a note (as `noteText` gives it) cannot be saved, or null. */
export function noteProblem(text: string): string | null {
  if (!text) return 'Write the note first.';
  if (text.length > NOTE_MAX) return `Keep a note under ${NOTE_MAX.toLocaleString('en')} characters (this one has ${text.length.toLocaleString('en')}).`;
  return null;
}

/** A label as it is saved: one line, single spaces. */
export const labelName = (name: string): string => name.trim().replace(/\s+/g, ' ');

/** Why a label (as `labelName` gives it) cannot be used, or null. Labels are plain words: no markup. */
export function labelProblem(name: string): string | null {
  if (!name) return 'Give the label a name.';
  if (name.length > LABEL_MAX) return `Keep a label under ${LABEL_MAX} characters.`;
  if (/[<>]/.test(name)) return 'Labels are plain words: leave out < and >.';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'Labels are one line of plain text.';
  return null;
}

/**
 * Why a trust setting cannot be saved at `now`, naming the part at fault, or null. A mute
 * ends by itself on a date to come; no other setting has an end.
 */
export function trustProblem(t: PersonTrust, now: number): { field: 'reason' | 'mutedUntil'; message: string } | null {
  if (t.reason !== null && t.reason.length > TRUST_REASON_MAX) return { field: 'reason', message: `Keep the reason under ${TRUST_REASON_MAX} characters.` };
  if (t.trust !== 'muted') {
    return t.mutedUntil === null ? null : { field: 'mutedUntil', message: 'Only a mute ends on a date: leave the end out for the other trust settings.' };
  }
  if (t.mutedUntil === null) return { field: 'mutedUntil', message: 'Choose when the mute ends.' };
  if (t.mutedUntil <= now) return { field: 'mutedUntil', message: 'Choose a day in the future for the mute to end.' };
  return null;
}
