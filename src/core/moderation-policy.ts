import type { CommentSettings } from './comment-settings.ts';
import { HOLD_THRESHOLD as FILTER_HOLD_AT, SPAM_THRESHOLD as FILTER_SPAM_AT } from './spam-filter.ts';
import type { CommentStatus } from './store.ts';
import type { PersonTrust } from './people.ts';

/** The words a held comment carries for a person the author chose to hold. */
export const HOLD_PERSON_REASON = "you asked to hold this person's comments";

/** Everything the layered spam defence learned about one submitted comment. */
export interface SpamEvidence {
  honeypotFilled: boolean;
  /** Result of checking the signed form token (time to submit, expiry, post). */
  formToken: { ok: true } | { ok: false; reason: 'invalid' | 'too-fast' | 'expired' | 'wrong-post' | 'missing'; seconds?: number };
  linkCount: number;
  disallowedWords: string[];
  /** The statistical filter's spam probability, or null when it has not learned yet. */
  filterScore: number | null;
  /** The Akismet-compatible service's verdict, when one is configured. */
  akismet: 'spam' | 'ham' | 'unknown' | 'off';
  /** The person has an approved comment already. */
  knownPerson: boolean;
  /**
   * The author's trust in the person this comment is attached to, as in force now
   * (`trustInForce`), and whether the channel proved the comment is theirs (a webmention
   * from their verified website; a typed email proves nothing). Absent: normal.
   */
  trust?: { state: PersonTrust; proven: boolean };
}

export interface ModerationDecision {
  status: Extract<CommentStatus, 'approved' | 'pending' | 'spam'>;
  /** Why, in words a moderator understands; empty when approved without question. */
  reasons: string[];
}


const score = (n: number) => n.toFixed(2);

/**
 * Decides where a reader's comment goes. Strong spam signals (the honeypot, a missing or
 * forged form token, Akismet, a filter score past the spam threshold, disallowed words
 * when the setting says spam) each send it to the spam folder, where it can still be
 * restored. A form sent sooner than people type is only a weak signal (a fast typist,
 * text pasted from elsewhere): alone it holds the comment for the author with that
 * reason; together with another sign of spam (a filter score past the hold threshold,
 * more links than allowed) it goes to spam. Otherwise the reasons to hold it apply, and
 * failing those it is approved. Every reason is recorded, not just the first.
 *
 * The author's trust in the person comes on top (ARCHITECTURE.md, "People"): hold, a mute
 * in force and blocked hold the comment with that reason (spam stays spam; nothing is
 * dropped); trusted approves despite every reason to hold, but only when the channel
 * proved the comment is theirs, and never past a strong spam signal.
 */
export function decideModeration(evidence: SpamEvidence, settings: CommentSettings): ModerationDecision {
  const spam: string[] = [];
  const hold: string[] = [];
  /** Signs of spam that are not enough alone: held, unless the form was also sent too fast. */
  const suspicious: string[] = [];

  if (evidence.honeypotFilled) spam.push('honeypot field was filled in');
  const token = evidence.formToken;
  let tooFast: string | null = null;
  if (!token.ok) {
    if (token.reason === 'too-fast') tooFast = `submitted ${token.seconds !== undefined ? `${token.seconds.toFixed(1)} s` : 'too soon'} after the form was served (minimum ${settings.minSubmitSeconds} s)`;
    else if (token.reason === 'expired') hold.push('the form was older than a day');
    else spam.push(token.reason === 'missing' ? 'no form token' : 'form token not valid');
  }
  if (evidence.disallowedWords.length > 0) {
    const words = `disallowed word${evidence.disallowedWords.length > 1 ? 's' : ''}: ${evidence.disallowedWords.join(', ')}`;
    (settings.disallowedAction === 'spam' ? spam : hold).push(words);
  }
  if (evidence.akismet === 'spam') spam.push('Akismet says spam');
  if (evidence.filterScore !== null) {
    if (evidence.filterScore >= FILTER_SPAM_AT) spam.push(`filter score ${score(evidence.filterScore)}`);
    else if (evidence.filterScore >= FILTER_HOLD_AT) suspicious.push(`filter score ${score(evidence.filterScore)}`);
  }
  if (evidence.linkCount > settings.maxLinks) suspicious.push(`${evidence.linkCount} links`);
  if (tooFast !== null) (suspicious.length > 0 ? spam : hold).unshift(tooFast);
  hold.push(...suspicious);
  const trust = evidence.trust?.state.trust ?? 'normal';
  // A trusted person whose identity is not proven by this comment counts as known, no more: typing their address must not gain their trust.
  const known = evidence.knownPerson || trust === 'trusted';
  if (settings.holdAll) hold.push('every comment is held for review (setting)');
  else if (settings.holdFirstComment && !known) hold.push('first comment from this person');

  const personal = personalHold(evidence.trust?.state);
  if (spam.length > 0) return { status: 'spam', reasons: [...spam, ...personal, ...hold] };
  if (personal.length > 0) return { status: 'pending', reasons: [...personal, ...hold] };
  if (trust === 'trusted' && evidence.trust?.proven) return { status: 'approved', reasons: [] };
  if (hold.length > 0) return { status: 'pending', reasons: hold };
  return { status: 'approved', reasons: [] };
}

/** The author's own reason to hold this person's comments, if any: hold, a mute in force, blocked. */
function personalHold(t: PersonTrust | undefined): string[] {
  if (!t) return [];
  const why = t.reason?.trim();
  switch (t.trust) {
    case 'hold':
      return [why ? `${HOLD_PERSON_REASON}: ${why}` : HOLD_PERSON_REASON];
    case 'muted':
      return [`muted${t.mutedUntil !== null ? ` until ${new Date(t.mutedUntil).toISOString().slice(0, 10)}` : ''}${why ? `: ${why}` : ''}`];
    case 'blocked':
      return [why ? `blocked: ${why}` : 'blocked'];
    default:
      return [];
  }
}
