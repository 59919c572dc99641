import { setTimeout as sleep } from 'node:timers/promises';

/** Polls until `check` passes or the time is up; returns whether it passed. */
export async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await sleep(50);
  }
  return false;
}
