import { z } from 'zod';
import { json, ref, response, writeErrors, type OpenApiSection } from './openapi.ts';
import { bodyErrors, pageShape, pagingShape, pathId, queryParameters, readErrors, scoped, sectionSchemas } from './openapi-shared.ts';

/**
 * Admin → Mail in the JSON API (routes/api-mail.ts): the outbox and how mail is sent (the
 * owner and moderators: it names readers' addresses), and one's own notification choice
 * (the owner and authors, who are emailed about comments).
 */

const status = z.enum(['pending', 'sent', 'failed']);

export const apiMailStatusSchema = z.object({
  transport: z.string().nullable().describe('The SMTP server mail goes through; null: none configured, mail waits in the outbox.'),
  from: z.string().describe('The sender address.'),
  counts: z.object({ pending: z.int(), sent: z.int(), failed: z.int() }),
});

export const apiMailQuerySchema = z.object({
  ...pagingShape,
  status: z.enum(['pending', 'sent', 'failed'], { message: 'Use pending, sent or failed.' }).optional().describe('Only mail with this status; all when left out.'),
});

export const apiMailMessageSchema = z.object({
  id: z.int(),
  kind: z.string().describe('What the mail is, e.g. invite, comment-notification.'),
  to: z.string(),
  subject: z.string(),
  status,
  attempts: z.int(),
  last_error: z.string().nullable(),
  created_at: z.iso.datetime({ offset: true }),
  next_attempt_at: z.iso.datetime({ offset: true }).nullable().describe('When a pending mail is tried next; null once sent or failed.'),
  sent_at: z.iso.datetime({ offset: true }).nullable(),
});
export const apiMailListSchema = z.object({ messages: z.array(apiMailMessageSchema).describe('Newest first.'), ...pageShape });

export const apiRetriedSchema = z.object({ retried: z.int().describe('Failed mails put back in the queue.') });

export const apiMailPreferenceSchema = z.object({ mode: z.enum(['each', 'digest']).describe('each: one email per comment; digest: one a day.') });
export const apiMailPreferenceInputSchema = z.strictObject({ mode: z.string({ message: 'Use each or digest.' }).describe('each or digest.') });

const common = { tags: ['mail'] };

export const mailOpenApi: OpenApiSection = {
  tags: [{ name: 'mail', description: 'The mail outbox and its SMTP status (owner, moderators), and one’s own comment notifications (owner, authors), as Admin → Mail.' }],
  schemas: () =>
    sectionSchemas(
      { MailStatus: apiMailStatusSchema, MailMessage: apiMailMessageSchema, MailList: apiMailListSchema, MailRetried: apiRetriedSchema, MailPreference: apiMailPreferenceSchema },
      { MailPreferenceInput: apiMailPreferenceInputSchema },
    ),
  paths: {
    '/api/mail': {
      get: {
        ...common,
        operationId: 'getMailStatus',
        security: scoped('read'),
        summary: 'How mail is sent, and the outbox’s counts',
        responses: { '200': { description: 'The status.', content: json(ref('MailStatus')) }, ...readErrors },
      },
    },
    '/api/mail/messages': {
      get: {
        ...common,
        operationId: 'listMail',
        security: scoped('read'),
        summary: 'Mail in the outbox',
        description: 'Addresses, subjects and errors; never the text (a link in it may be a credential).',
        parameters: queryParameters(apiMailQuerySchema),
        responses: { '200': { description: 'The mail.', content: json(ref('MailList')) }, ...readErrors, '422': response('ValidationFailed') },
      },
    },
    '/api/mail/messages/{id}/retry': {
      post: {
        ...common,
        operationId: 'retryMail',
        security: scoped('moderate'),
        summary: 'Try a failed mail again now',
        description: '404 when no failed mail has this id (one sent meanwhile is left alone).',
        parameters: [pathId('id', 'The mail’s numeric id.')],
        responses: { '200': { description: 'Queued again.', content: json(ref('MailRetried')) }, ...writeErrors, '404': response('NotFound') },
      },
    },
    '/api/mail/retry-failed': {
      post: {
        ...common,
        operationId: 'retryFailedMail',
        security: scoped('moderate'),
        summary: 'Try every failed mail again now',
        responses: { '200': { description: 'How many were queued again.', content: json(ref('MailRetried')) }, ...writeErrors },
      },
    },
    '/api/mail/preference': {
      get: {
        ...common,
        operationId: 'getMailPreference',
        security: scoped('read'),
        summary: 'How the caller is told about comments on their posts',
        responses: { '200': { description: 'The choice.', content: json(ref('MailPreference')) }, ...readErrors },
      },
      put: {
        ...common,
        operationId: 'setMailPreference',
        security: scoped('write'),
        summary: 'Choose one email per comment or a daily digest',
        requestBody: { required: true, content: json(ref('MailPreferenceInput')) },
        responses: { '200': { description: 'The choice as saved.', content: json(ref('MailPreference')) }, ...writeErrors, ...bodyErrors },
      },
    },
  },
};
