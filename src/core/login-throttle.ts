import { addressGroup } from './address-group.ts';
import type { LoginFailures } from './store.ts';

/**
 * Wrong passwords slow their sender down; they never lock an account. Failures are
 * counted per (address, account) and per address, never per account alone, so someone
 * guessing from one address cannot keep the owner out from another. After the free
 * failures each further one doubles the wait (1 s, 2 s, 4 s … up to 15 minutes);
 * a right password clears the (address, account) count.
 */
export const LOGIN_THROTTLE = {
  /** Wrong passwords for one account from one address before waits begin. */
  freePerAccount: 5,
  /** Wrong passwords from one address, over every account, before waits begin. */
  freePerAddress: 20,
  firstWaitMs: 1000,
  longestWaitMs: 15 * 60_000,
  /** A count whose last failure is older than this starts again. */
  forgetAfterMs: 24 * 3600_000,
};

export interface ThrottleKey {
  key: string;
  free: number;
}

export function throttleKeys(clientAddress: string, email: string): ThrottleKey[] {
  const address = addressGroup(clientAddress);
  return [
    { key: `login:address:${address}`, free: LOGIN_THROTTLE.freePerAddress },
    { key: `login:account:${address}:${email}`, free: LOGIN_THROTTLE.freePerAccount },
  ];
}

/** The oldest last failure that still counts at `now` (LoginFailureRepository.add's `forgetBefore`). */
export function forgetBefore(now: number): number {
  return now - LOGIN_THROTTLE.forgetAfterMs;
}

/** Failures that still count at `now` (older ones are forgotten). */
export function failuresAt(state: LoginFailures | null, now: number): number {
  return state && state.lastFailureAt >= forgetBefore(now) ? state.failures : 0;
}

/** How long from `now` the next attempt must wait, in ms (0: it may go ahead). */
export function waitBeforeNextAttempt(state: LoginFailures | null, free: number, now: number): number {
  const failures = failuresAt(state, now);
  if (!state || failures < free) return 0;
  const wait = Math.min(LOGIN_THROTTLE.longestWaitMs, LOGIN_THROTTLE.firstWaitMs * 2 ** Math.min(30, failures - free));
  return Math.max(0, state.lastFailureAt + wait - now);
}
