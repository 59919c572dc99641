import type { CommentSettings } from './comment-settings.ts';
import { HOLD_THRESHOLD as FILTER_HOLD_AT, SPAM_THRESHOLD as FILTER_SPAM_AT } from './spam-filter.ts';
import type { CommentStatus } from './store.ts';

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
}

export interface ModerationDecision {
  status: Extract<CommentStatus, 'approved' | 'pending' | 'spam'>;
  /** Why, in words a moderator understands; empty when approved without question. */
  reasons: string[];
}


const score = (n: number) => n.toFixed(2);

/**
 * Decides where a reader's comment goes. Spam signals are checked first (they send it to
 * the spam folder, where it can still be restored), then the reasons to hold it for a
 * moderator; otherwise it is approved. Every reason is recorded, not just the first.
 */
export function decideModeration(evidence: SpamEvidence, settings: CommentSettings): ModerationDecision {
  const spam: string[] = [];
  const hold: string[] = [];

  if (evidence.honeypotFilled) spam.push('honeypot field was filled in');
  const token = evidence.formToken;
  if (!token.ok) {
    if (token.reason === 'too-fast') spam.push(`sent ${token.seconds !== undefined ? `${token.seconds.toFixed(1)} s` : 'too soon'} after the form loaded (minimum ${settings.minSubmitSeconds} s)`);
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
    else if (evidence.filterScore >= FILTER_HOLD_AT) hold.push(`filter score ${score(evidence.filterScore)}`);
  }
  if (evidence.linkCount > settings.maxLinks) hold.push(`${evidence.linkCount} links`);
  if (settings.holdAll) hold.push('every comment is held for review (setting)');
  else if (settings.holdFirstComment && !evidence.knownPerson) hold.push('first comment from this person');

  if (spam.length > 0) return { status: 'spam', reasons: [...spam, ...hold] };
  if (hold.length > 0) return { status: 'pending', reasons: hold };
  return { status: 'approved', reasons: [] };
}
