import type { EmailAddress, Page, Subscription, SubscriptionQuery, SubscriptionRepository, SubscriptionRow } from '../../core/store.ts';
import type { Tables } from './memory-store.ts';

const normalise = (email: string) => email.trim().toLowerCase();
const copy = <T>(value: T): T => structuredClone(value);

/** SubscriptionRepository in memory; its data lives in the MemoryStore's tables so transactions cover it. */
export class MemorySubscriptionRepository implements SubscriptionRepository {
  private readonly tables: () => Tables;
  private readonly nextId: (table: keyof Tables['lastId']) => number;

  constructor(tables: () => Tables, nextId: (table: keyof Tables['lastId']) => number = () => 0) {
    this.tables = tables;
    this.nextId = nextId;
  }

  async ensureAddress(email: string, confirmToken: string, now: number): Promise<EmailAddress> {
    const key = normalise(email);
    const addresses = this.tables().emailAddresses;
    let address = addresses.get(key);
    if (!address) {
      address = { email: key, confirmToken, confirmedAt: null, createdAt: now };
      addresses.set(key, address);
    }
    return copy(address);
  }

  async findAddress(email: string): Promise<EmailAddress | null> {
    const address = this.tables().emailAddresses.get(normalise(email));
    return address ? copy(address) : null;
  }

  async findAddressByToken(confirmToken: string): Promise<EmailAddress | null> {
    const address = [...this.tables().emailAddresses.values()].find((a) => a.confirmToken === confirmToken);
    return address ? copy(address) : null;
  }

  async confirmAddress(email: string, now: number): Promise<void> {
    const address = this.tables().emailAddresses.get(normalise(email));
    if (address && address.confirmedAt === null) address.confirmedAt = now;
  }

  async subscribe(sub: Omit<Subscription, 'id' | 'unsubscribedAt'>): Promise<Subscription> {
    const email = normalise(sub.email);
    const subscriptions = this.tables().subscriptions;
    const active = [...subscriptions.values()].find(
      (s) => s.unsubscribedAt === null && s.kind === sub.kind && s.email === email && s.postId === sub.postId && s.commentId === sub.commentId,
    );
    if (active) return copy(active);
    const created: Subscription = {
      id: this.nextId('subscriptions'),
      kind: sub.kind,
      email,
      postId: sub.postId,
      commentId: sub.commentId,
      token: sub.token,
      createdAt: sub.createdAt,
      unsubscribedAt: null,
    };
    subscriptions.set(created.id, created);
    return copy(created);
  }

  async findByToken(token: string): Promise<Subscription | null> {
    const found = this.byToken(token);
    return found ? copy(found) : null;
  }

  async unsubscribe(token: string, now: number): Promise<Subscription | null> {
    const found = this.byToken(token);
    if (!found) return null;
    found.unsubscribedAt ??= now;
    return copy(found);
  }

  async activeForPost(postId: number): Promise<Subscription[]> {
    return this.active((s) => s.kind === 'post' && s.postId === postId);
  }

  async activeForComment(commentId: number): Promise<Subscription[]> {
    return this.active((s) => s.kind === 'replies' && s.commentId === commentId);
  }

  async list(query: SubscriptionQuery): Promise<Page<SubscriptionRow>> {
    const { subscriptions, emailAddresses } = this.tables();
    const emails = query.emails ? new Set(query.emails.map(normalise)) : null;
    const rows = [...subscriptions.values()]
      .map((s) => ({ ...copy(s), confirmed: (emailAddresses.get(s.email)?.confirmedAt ?? null) !== null }))
      .filter((s) => (query.postId === undefined || s.postId === query.postId) && (!emails || emails.has(s.email)))
      .filter((s) => !query.state || query.state === (s.unsubscribedAt !== null ? 'unsubscribed' : s.confirmed ? 'active' : 'unconfirmed'))
      .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
    return { items: rows.slice(query.offset, query.offset + query.limit), total: rows.length };
  }

  async findById(id: number): Promise<Subscription | null> {
    const found = this.tables().subscriptions.get(id);
    return found ? copy(found) : null;
  }

  async delete(id: number): Promise<boolean> {
    return this.tables().subscriptions.delete(id);
  }

  private byToken(token: string): Subscription | undefined {
    return [...this.tables().subscriptions.values()].find((s) => s.token === token);
  }

  private active(matches: (s: Subscription) => boolean): Subscription[] {
    const { subscriptions, emailAddresses } = this.tables();
    return [...subscriptions.values()]
      .filter((s) => s.unsubscribedAt === null && matches(s) && (emailAddresses.get(s.email)?.confirmedAt ?? null) !== null)
      .sort((a, b) => a.id - b.id)
      .map(copy);
  }
}
