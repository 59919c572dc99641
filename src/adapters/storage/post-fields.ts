import { DomainError } from '../../core/errors.ts';
import type { Post, PostWrite } from '../../core/store.ts';

/** The fields a write may leave out to keep what the post has: its password and SEO fields. */
export type KeptFields = Pick<Post, 'password' | 'metaDescription' | 'socialImage' | 'canonicalUrl'>;

/** What those fields are after `write`: its own values, else the post's (`before`; null for a new post). */
export function keptFields(write: PostWrite, before: KeptFields | null): KeptFields {
  const pick = <K extends keyof KeptFields>(key: K): KeptFields[K] => (write[key] === undefined ? (before?.[key] ?? null) : (write[key] ?? null));
  return { password: pick('password'), metaDescription: pick('metaDescription'), socialImage: pick('socialImage'), canonicalUrl: pick('canonicalUrl') };
}

/** A second create with the same editor key (PostService looks the first one up). */
export const creationKeyTaken = () => new DomainError('conflict', 'This editor page has already created its post.', {}, { creationKey: true });
