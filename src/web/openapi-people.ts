import { z } from 'zod';
import { MAX_ID } from '../core/ids.ts';
import { identityKinds, LABEL_MAX, NOTE_MAX, timelineKinds, trustStates, UNDO_DAYS } from '../core/people.ts';
import { TRUST_REASON_MAX } from '../core/person-edits.ts';
import { forgetChoices } from '../core/person-rights.ts';
import { API_PER_PAGE_MAX, isoDateTime, json, queryParameters, ref, response, tidy, tokenWith, writeErrors, type JsonSchema, type OpenApiSection } from './openapi.ts';

/**
 * People in the JSON API (routes/api-people.ts): the shapes it reads and writes, and their
 * part of the OpenAPI document. Staff only — the owner and moderators, as Admin → People —
 * so private notes, labels and trust reasons appear here and nowhere public.
 */

const perPage = (what: string) =>
  z.coerce
    .number({ message: `Use a whole number from 1 to ${API_PER_PAGE_MAX}.` })
    .int(`Use a whole number from 1 to ${API_PER_PAGE_MAX}.`)
    .min(1, `Use a whole number from 1 to ${API_PER_PAGE_MAX}.`)
    .max(API_PER_PAGE_MAX, `Use a whole number from 1 to ${API_PER_PAGE_MAX}.`)
    .default(20)
    .describe(`${what} per page, at most ${API_PER_PAGE_MAX}.`);

const cursorMessage = 'Use the next_cursor of the previous page, as it was given.';

export const apiPeopleQuerySchema = z.object({
  q: z.string().max(200, 'Search with at most 200 characters.').optional().describe('Part of a name, or of any identity: email, website, webmention author, fediverse account or handle (case aside).'),
  label: z.string().max(LABEL_MAX, `Labels have at most ${LABEL_MAX} characters.`).optional().describe('Only people with this label (its name).'),
  trust: z.enum(trustStates, { message: 'Use trusted, normal, hold, muted or blocked.' }).optional().describe('Only people with this trust setting.'),
  cursor: z
    .string()
    .regex(/^\d{1,15}\.\d{1,10}$/, cursorMessage)
    .optional()
    .describe('Where the page starts: the `next_cursor` of the previous page. Left out: the most recently seen people.'),
  per_page: perPage('People'),
});

const kindPattern = `(?:${timelineKinds.join('|')})`;

export const apiTimelineQuerySchema = z.object({
  kinds: z
    .string()
    .regex(new RegExp(`^${kindPattern}(?:,${kindPattern})*$`), `List kinds separated by commas, from: ${timelineKinds.join(', ')}.`)
    .optional()
    .describe(`Only these kinds, comma-separated (${timelineKinds.join(', ')}). Left out: every kind.`),
  cursor: z
    .string()
    .regex(new RegExp(`^\\d{1,15}\\.${kindPattern}\\.\\d{1,10}$`), cursorMessage)
    .optional()
    .describe('Where the page starts: the `next_cursor` of the previous page. Left out: the newest entries.'),
  per_page: perPage('Entries'),
});

export const apiPersonQuerySchema = z.object({
  include: z.enum(['notes'], { message: 'Use include=notes, or leave it out.' }).optional().describe('`notes`: add the private notes about them.'),
});

/** PUT /api/people/{id}/trust. */
export const apiTrustInputSchema = z.strictObject({
  trust: z
    .enum(trustStates, { message: 'Use trusted, normal, hold, muted or blocked.' })
    .describe(
      'trusted: their proven comments (a webmention from their verified site) are published at once; normal; hold: every comment waits for you; ' +
        'muted: their comments wait until `muted_until`, then they are normal again; blocked: their comments are kept, held with the reason "blocked".',
    ),
  reason: z.string({ message: 'Write the reason as text.' }).nullable().optional().meta({ maxLength: TRUST_REASON_MAX }).describe('In your words; shown as the reason their comments are held.'),
  muted_until: isoDateTime.nullable().optional().describe('For `muted` (and only for it): when the mute ends, in the future.'),
});
export type ApiTrustInput = z.output<typeof apiTrustInputSchema>;

/** POST /api/people/{id}/notes and PATCH …/notes/{noteId}. */
export const apiNoteInputSchema = z.strictObject({
  markdown: z
    .string({ message: 'Write the note in Markdown, as text.' })
    .meta({ maxLength: NOTE_MAX })
    .describe(`The note, in Markdown (the commenters’ subset), at most ${NOTE_MAX.toLocaleString('en')} characters once trimmed.`),
});

const idMessage = 'List the ids of the people to merge in, e.g. [12, 34].';

/** POST /api/people/{id}/merge and …/merge/preview. */
export const apiMergeInputSchema = z.strictObject({
  others: z
    .array(z.int(idMessage).min(1, idMessage).max(MAX_ID, idMessage), { message: idMessage })
    .max(100, 'Merge at most 100 people at once.')
    .describe('The people merged into this one (who keeps their non-empty name, email and website), at least one.'),
});

const userRefSchema = z.object({ id: z.int(), name: z.string() });
const labelsSchema = z.array(z.string()).describe('Their labels, by name.');

const identitySchema = z.object({
  kind: z.enum(identityKinds),
  value: z.string().describe('Normalised: an email lower-cased, a web address without fragment or trailing slash, a handle as @user@host.'),
  verified: z.boolean().describe('Proven (a confirmed address, a verified webmention from the site), not only typed.'),
  first_seen: isoDateTime,
  last_seen: isoDateTime,
});

/** A person as the list shows them. */
export const apiPersonSchema = z.object({
  id: z.int(),
  name: z.string(),
  email: z.string().nullable().describe('Their primary address (all of them are under identities).'),
  website: z.string().nullable(),
  trust: z.enum(trustStates),
  trust_reason: z.string().nullable(),
  muted_until: isoDateTime.nullable(),
  labels: labelsSchema,
  identities: z.array(identitySchema),
  has_notes: z.boolean(),
  created_at: isoDateTime,
  last_seen_at: isoDateTime.describe('When they last wrote, mentioned or subscribed; the list is sorted by it, newest first.'),
  last_comment: z.object({ id: z.int(), post_id: z.int(), created_at: isoDateTime }).nullable().describe('Their latest comment, neither spam nor trash.'),
  last_reply_at: isoDateTime.nullable().describe('When someone on the team last answered one of their comments.'),
  waiting: z.boolean().describe('Their latest approved comment has no later comment by the team in its conversation.'),
});
export type ApiPerson = z.output<typeof apiPersonSchema>;

export const apiNoteSchema = z.object({
  id: z.int(),
  person_id: z.int(),
  markdown: z.string(),
  html: z.string().describe('Sanitised HTML rendered from the Markdown when saved.'),
  author: userRefSchema.nullable(),
  created_at: isoDateTime,
  updated_at: isoDateTime,
});
export type ApiNote = z.output<typeof apiNoteSchema>;

export const apiMergeSchema = z.object({
  event_id: z.int().describe('The merge; undo it with POST /api/people/merges/{event_id}/undo.'),
  survivor_id: z.int(),
  merged: z.array(userRefSchema).describe('The people merged in, as they were.'),
  merged_at: isoDateTime,
  undo_until: isoDateTime.describe(`A merge can be undone for ${UNDO_DAYS} days.`),
});
export type ApiMerge = z.output<typeof apiMergeSchema>;

/** One person with everything but the timeline. */
export const apiPersonDetailSchema = apiPersonSchema.extend({
  first_seen_at: isoDateTime,
  names: z.array(z.string()).describe('Every name they used on comments and mentions, most recent first.'),
  merges: z.array(apiMergeSchema).describe('Merges into this person that can still be undone, newest first.'),
  notes: z.array(apiNoteSchema).optional().describe('Only with include=notes: the private notes about them, newest first.'),
});
export type ApiPersonDetail = z.output<typeof apiPersonDetailSchema>;

export const apiPersonListSchema = z.object({
  people: z.array(apiPersonSchema),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
});

/** A comment as staff see it (no address, IP or browser). */
const commentSchema = z.object({
  id: z.int(),
  post_id: z.int(),
  parent_id: z.int().nullable(),
  status: z.enum(['pending', 'approved', 'spam', 'trash']),
  source: z.string().describe('form, api, admin, import, webmention or activitypub.'),
  author_name: z.string(),
  author_url: z.string().nullable(),
  markdown: z.string(),
  html: z.string().describe('Sanitised HTML.'),
  moderation_reasons: z.array(z.string()).describe('Why it was held or sent to spam, in words.'),
  created_at: isoDateTime,
  edited_at: isoDateTime.nullable(),
});
export type ApiComment = z.output<typeof commentSchema>;

const entry = <K extends string, S extends z.ZodRawShape>(kind: K, shape: S) => z.object({ kind: z.literal(kind), at: isoDateTime, id: z.int(), ...shape });

export const apiTimelineEntrySchema = z.discriminatedUnion('kind', [
  entry('comment', { comment: commentSchema }),
  entry('reply', { comment: commentSchema, to_id: z.int().describe('A comment by someone on the team: the comment of theirs it answers.') }),
  entry('webmention', { source: z.string(), post_id: z.int(), type: z.string().nullable().describe('reply, like, repost, bookmark or mention.'), status: z.string() }),
  entry('subscription', { subscription: z.enum(['post', 'replies']), post_id: z.int(), unsubscribed_at: isoDateTime.nullable() }),
  entry('mail', { subject: z.string(), status: z.enum(['pending', 'sent', 'failed']), sent_at: isoDateTime.nullable() }),
  entry('event', {
    event: z.object({
      kind: z.string().describe('trust, label-added, label-removed, moderated, merged, split or forgotten.'),
      actor: userRefSchema.nullable().describe('Who on the team did it; null for the site itself.'),
      detail: z.record(z.string(), z.unknown()).describe('What changed (e.g. `trust`, `reason`, `muted_until`; `label`; `merged`, `undo_until`, `undone_at`).'),
    }),
  }),
  entry('note', { note: apiNoteSchema }),
]);
export type ApiTimelineEntry = z.output<typeof apiTimelineEntrySchema>;

export const apiTimelineSchema = z.object({
  entries: z.array(apiTimelineEntrySchema).describe('Newest first.'),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
});

export const apiNoteListSchema = z.object({ notes: z.array(apiNoteSchema).describe('Newest first.') });
export const apiLabelListSchema = z.object({ labels: z.array(z.string()).describe('By name, in alphabetical order.') });

const personRefSchema = z.object({ id: z.int(), name: z.string(), email: z.string().nullable(), website: z.string().nullable() });
const mergedFieldSchema = z.object({ value: z.string().nullable(), from_id: z.int().describe('Whose value it is.') });

export const apiMergePreviewSchema = z.object({
  survivor: personRefSchema,
  others: z.array(personRefSchema),
  fields: z.object({ name: mergedFieldSchema, email: mergedFieldSchema, website: mergedFieldSchema }).describe('The survivor’s fields after the merge.'),
  moves: z
    .object({ identities: z.int(), comments: z.int(), webmentions: z.int(), notes: z.int(), labels: z.int(), subscriptions: z.int(), mails: z.int(), events: z.int() })
    .describe('What moves to the survivor.'),
});
export type ApiMergePreview = z.output<typeof apiMergePreviewSchema>;

/** POST /api/people/{id}/forget. */
export const apiForgetInputSchema = z.strictObject({
  comments: z
    .enum(forgetChoices, { message: 'Use "anonymise" (the text stays, under “Someone”) or "trash".' })
    .describe('What happens to their comments: `anonymise` keeps the text under the name “Someone”, without address, website, IP or browser; `trash` moves them to the trash.'),
});

export const apiForgetResultSchema = z.object({
  person_id: z.int().describe('The id the person had; nobody has it now.'),
  comments: z.enum(forgetChoices),
  counts: z.record(z.string(), z.int().nonnegative()).describe('How much was erased, anonymised or trashed, by kind (comments, identities, notes, subscriptions, mails, follows…).'),
  audit_id: z.int().describe('The line in the audit log (Admin → People → Forgotten), which holds no personal data.'),
});

export const apiPersonExportSchema = z
  .record(z.string(), z.unknown())
  .describe('Everything the site holds about one person, as “Download their data” gives it (docs/export-format.md, “One person”): identities, comments, webmentions, subscriptions, mails, notes, labels, events, fediverse follows and mentions.');

export const apiMergeResultSchema = z.object({ merge: apiMergeSchema, person: apiPersonDetailSchema.describe('The survivor, after the merge.') });

function peopleSchemas(): Record<string, JsonSchema> {
  const uri = (id: string) => `#/components/schemas/${id}`;
  const responses = z.registry<{ id: string }>();
  responses.add(apiPersonSchema, { id: 'Person' });
  responses.add(apiPersonDetailSchema, { id: 'PersonDetail' });
  responses.add(apiPersonListSchema, { id: 'PersonList' });
  responses.add(apiNoteSchema, { id: 'PersonNote' });
  responses.add(apiNoteListSchema, { id: 'PersonNoteList' });
  responses.add(apiLabelListSchema, { id: 'LabelList' });
  responses.add(commentSchema, { id: 'PersonComment' });
  responses.add(apiTimelineEntrySchema, { id: 'TimelineEntry' });
  responses.add(apiTimelineSchema, { id: 'Timeline' });
  responses.add(apiMergeSchema, { id: 'Merge' });
  responses.add(apiMergePreviewSchema, { id: 'MergePreview' });
  responses.add(apiMergeResultSchema, { id: 'MergeResult' });
  responses.add(apiForgetResultSchema, { id: 'ForgetResult' });
  responses.add(apiPersonExportSchema, { id: 'PersonExport' });
  const requests = z.registry<{ id: string }>();
  requests.add(apiTrustInputSchema, { id: 'TrustInput' });
  requests.add(apiNoteInputSchema, { id: 'NoteInput' });
  requests.add(apiMergeInputSchema, { id: 'MergeInput' });
  requests.add(apiForgetInputSchema, { id: 'ForgetInput' });
  const output = tidy(z.toJSONSchema(responses, { target: 'draft-2020-12', io: 'output', uri }).schemas, true) as Record<string, JsonSchema>;
  const input = tidy(z.toJSONSchema(requests, { target: 'draft-2020-12', io: 'input', uri }).schemas, false) as Record<string, JsonSchema>;
  return { ...output, ...input };
}

const pathId = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'integer', minimum: 1 } });
const personId = pathId('id', 'The person’s numeric id.');
const noteId = pathId('noteId', 'The note’s numeric id.');
const labelName = { name: 'name', in: 'path', required: true, description: 'The label’s name, percent-encoded.', schema: { type: 'string', minLength: 1 } };

const readErrors = { '401': response('Unauthenticated'), '403': response('Forbidden') };
const bodyErrors = { '400': response('InvalidJson'), '413': response('PayloadTooLarge'), '415': response('UnsupportedMediaType'), '422': response('ValidationFailed') };
/** Reading (and previewing a merge) needs the read scope; every change, moderate. */
const reading = { tags: ['people'], security: tokenWith('read') };
const moderating = { tags: ['people'], security: tokenWith('moderate') };

/** The people part of /api/openapi.json. */
export const peopleOpenApi: OpenApiSection = {
  tags: [
    {
      name: 'people',
      description:
        'Everyone who wrote, mentioned or subscribed: identities, trust, labels, private notes, the timeline, merging and undoing. ' +
        'For tokens of the owner and moderators (as Admin → People); an author’s token gets 403.',
    },
  ],
  schemas: peopleSchemas,
  paths: {
    '/api/people': {
      get: {
        ...reading,
        operationId: 'listPeople',
        summary: 'List people',
        description: 'Most recently seen first, a page at a time (follow `next_cursor`); searchable and filtered by label and trust as Admin → People.',
        parameters: queryParameters(apiPeopleQuerySchema),
        responses: { '200': { description: 'A page of people.', content: json(ref('PersonList')) }, ...readErrors, '422': response('ValidationFailed') },
      },
    },
    '/api/people/labels': {
      get: {
        ...reading,
        operationId: 'listLabels',
        summary: 'Every label in use',
        responses: { '200': { description: 'The labels.', content: json(ref('LabelList')) }, ...readErrors },
      },
    },
    '/api/people/{id}': {
      get: {
        ...reading,
        operationId: 'getPerson',
        summary: 'Read a person',
        description: 'Every name and identity they used, first and last seen, trust, labels, merges that can be undone; their notes with include=notes.',
        parameters: [personId, ...queryParameters(apiPersonQuerySchema)],
        responses: { '200': { description: 'The person.', content: json(ref('PersonDetail')) }, ...readErrors, '404': response('NotFound'), '422': response('ValidationFailed') },
      },
    },
    '/api/people/{id}/timeline': {
      get: {
        ...reading,
        operationId: 'getPersonTimeline',
        summary: 'Everything that passed between them and the site',
        description: 'Their comments, the team’s replies to them, webmentions, subscriptions, mails sent to them, events (trust, labels, merges) and notes, newest first.',
        parameters: [personId, ...queryParameters(apiTimelineQuerySchema)],
        responses: { '200': { description: 'A page of the timeline.', content: json(ref('Timeline')) }, ...readErrors, '404': response('NotFound'), '422': response('ValidationFailed') },
      },
    },
    '/api/people/{id}/notes': {
      get: {
        ...reading,
        operationId: 'listPersonNotes',
        summary: 'Private notes about a person',
        parameters: [personId],
        responses: { '200': { description: 'Their notes.', content: json(ref('PersonNoteList')) }, ...readErrors, '404': response('NotFound') },
      },
      post: {
        ...moderating,
        operationId: 'addPersonNote',
        summary: 'Add a private note',
        parameters: [personId],
        requestBody: { required: true, content: json(ref('NoteInput')) },
        responses: {
          '201': {
            description: 'The note as saved.',
            headers: { Location: { description: 'Address of the person’s notes in the API.', schema: { type: 'string', format: 'uri' } } },
            content: json(ref('PersonNote')),
          },
          ...writeErrors,
          ...bodyErrors,
          '404': response('NotFound'),
        },
      },
    },
    '/api/people/{id}/notes/{noteId}': {
      patch: {
        ...moderating,
        operationId: 'updatePersonNote',
        summary: 'Change a note',
        parameters: [personId, noteId],
        requestBody: { required: true, content: json(ref('NoteInput')) },
        responses: { '200': { description: 'The note as saved.', content: json(ref('PersonNote')) }, ...writeErrors, ...bodyErrors, '404': response('NotFound') },
      },
      delete: {
        ...moderating,
        operationId: 'deletePersonNote',
        summary: 'Delete a note',
        parameters: [personId, noteId],
        responses: { '204': { description: 'Deleted.' }, ...writeErrors, '404': response('NotFound') },
      },
    },
    '/api/people/{id}/labels/{name}': {
      put: {
        ...moderating,
        operationId: 'addPersonLabel',
        summary: 'Label a person',
        description: `Creates the label if it is new. A label is plain text, at most ${LABEL_MAX} characters, without < or >. Labelling twice changes nothing.`,
        parameters: [personId, labelName],
        responses: { '200': { description: 'Their labels now.', content: json(ref('LabelList')) }, ...writeErrors, '404': response('NotFound'), '422': response('ValidationFailed') },
      },
      delete: {
        ...moderating,
        operationId: 'removePersonLabel',
        summary: 'Take a label off a person',
        parameters: [personId, labelName],
        responses: { '204': { description: 'Taken off.' }, ...writeErrors, '404': response('NotFound') },
      },
    },
    '/api/people/{id}/trust': {
      put: {
        ...moderating,
        operationId: 'setPersonTrust',
        summary: 'Set how their comments are treated',
        parameters: [personId],
        requestBody: { required: true, content: json(ref('TrustInput')) },
        responses: { '200': { description: 'The person, with the new setting.', content: json(ref('PersonDetail')) }, ...writeErrors, ...bodyErrors, '404': response('NotFound') },
      },
    },
    '/api/people/{id}/merge/preview': {
      post: {
        ...reading,
        operationId: 'previewPersonMerge',
        summary: 'What a merge would move',
        description: 'Changes nothing. Refused (422) for a person with themself, 404 when anyone is unknown.',
        parameters: [personId],
        requestBody: { required: true, content: json(ref('MergeInput')) },
        responses: { '200': { description: 'The fields after the merge and what moves.', content: json(ref('MergePreview')) }, ...readErrors, ...bodyErrors, '404': response('NotFound') },
      },
    },
    '/api/people/{id}/merge': {
      post: {
        ...moderating,
        operationId: 'mergePeople',
        summary: 'Merge people into this one',
        description:
          'In one transaction: the others’ identities, comments, webmentions, notes, labels, subscriptions, mails and events move to this person, who keeps ' +
          `their non-empty name, email and website and takes the others’ where empty; the others are removed. Undo within ${UNDO_DAYS} days.`,
        parameters: [personId],
        requestBody: { required: true, content: json(ref('MergeInput')) },
        responses: { '200': { description: 'The merge (its event id undoes it) and the person after it.', content: json(ref('MergeResult')) }, ...writeErrors, ...bodyErrors, '404': response('NotFound') },
      },
    },
    '/api/people/{id}/export': {
      get: {
        ...reading,
        operationId: 'exportPerson',
        summary: 'Everything about one person, as JSON',
        description: 'What to send someone who asks what the site keeps about them: the same document as “Download their data” and `npx kumbaya people export`.',
        parameters: [personId],
        responses: { '200': { description: 'Their data.', content: json(ref('PersonExport')) }, ...readErrors, '404': response('NotFound') },
      },
    },
    '/api/people/{id}/forget': {
      post: {
        ...moderating,
        operationId: 'forgetPerson',
        summary: 'Forget a person',
        description:
          'In one transaction: erases their identities, notes, labels, events, subscriptions, mails to them and fediverse follows, and anonymises or trashes their comments; ' +
          'an audit line without personal data records it. Refused (422) for the person of someone on the team; nothing is changed then.',
        parameters: [personId],
        requestBody: { required: true, content: json(ref('ForgetInput')) },
        responses: { '200': { description: 'What was forgotten, counted.', content: json(ref('ForgetResult')) }, ...writeErrors, ...bodyErrors, '404': response('NotFound') },
      },
    },
    '/api/people/merges/{eventId}/undo': {
      post: {
        ...moderating,
        operationId: 'undoMerge',
        summary: 'Undo a merge',
        description: `Restores the merged people and moves back exactly what was theirs. Once, within ${UNDO_DAYS} days (409 after).`,
        parameters: [pathId('eventId', 'The merge’s `event_id`.')],
        responses: { '204': { description: 'Undone.' }, ...writeErrors, '404': response('NotFound'), '409': response('Conflict') },
      },
    },
  },
};
