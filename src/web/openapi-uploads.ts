import { z } from 'zod';
import { ALT_MAX, CAPTION_MAX } from '../core/media.ts';
import { isoDateTime, json, ref, response, writeErrors, type OpenApiSection } from './openapi.ts';
import { bodyErrors, pageShape, pagingShape, queryParameters, readErrors, scoped, sectionSchemas } from './openapi-shared.ts';

/** The media library in the JSON API (routes/api-uploads.ts): as Admin → Uploads, for the owner and authors. */

export const apiUploadQuerySchema = z.object({
  q: z.string().max(200, 'Search with at most 200 characters.').optional().describe('Part of the file name or of the alt text (case aside).'),
  ...pagingShape,
});

export const apiUploadDeleteQuerySchema = z.object({
  force: z.enum(['true', 'false'], { message: 'Use force=true, or leave it out.' }).optional().describe('`true`: delete even when posts show the image (they will show a broken image).'),
});

/** PATCH /api/uploads/{hash}. */
export const apiUploadPatchSchema = z.strictObject({
  alt: z.string({ message: 'Write the alt text as text.' }).meta({ maxLength: ALT_MAX }).optional().describe(`What the image shows, for readers who cannot see it; plain text, at most ${ALT_MAX} characters.`),
  caption: z.string({ message: 'Write the caption as text.' }).meta({ maxLength: CAPTION_MAX }).optional().describe(`Shown under the image when it stands alone; plain text, at most ${CAPTION_MAX} characters.`),
});

/** POST /api/uploads, as multipart/form-data. */
export const apiUploadFormSchema = z.object({
  file: z.string().meta({ format: 'binary' }).describe('The image: PNG, JPEG, GIF, WebP or AVIF (never SVG), at most UPLOAD_MAX_BYTES. It is decoded and encoded again, without its metadata.'),
  alt: z.string().optional().describe('Alt text.'),
});

const useSchema = z.object({
  id: z.int().describe('The post’s id.'),
  title: z.string(),
  slug: z.string(),
  type: z.enum(['post', 'page', 'external']),
  status: z.enum(['draft', 'scheduled', 'published']),
  trashed: z.boolean(),
});

export const apiUploadSchema = z.object({
  hash: z.string().describe('sha256 of the stored bytes: the upload’s id.'),
  url: z.string().describe('Where it is served, on this site (/uploads/{hash}.{ext}).'),
  markdown: z.string().describe('The Markdown that shows it, with its alt text.'),
  mime: z.string(),
  size: z.int().describe('Bytes.'),
  width: z.int().nullable().describe('Pixels; null until an older upload’s job has read it.'),
  height: z.int().nullable(),
  original_name: z.string(),
  alt: z.string(),
  caption: z.string(),
  uploader_id: z.int(),
  created_at: isoDateTime,
  variant_widths: z.array(z.int()).describe('Widths of the smaller WebP copies made for srcset.'),
  uses: z.array(useSchema).describe('The posts and pages (trashed ones too) that show it.'),
});
export type ApiUpload = z.output<typeof apiUploadSchema>;

export const apiUploadListSchema = z.object({ uploads: z.array(apiUploadSchema).describe('Newest first.'), ...pageShape });

const hashParameter = { name: 'hash', in: 'path', required: true, description: 'The upload’s hash (64 hex digits).', schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } };
const common = { tags: ['uploads'] };

export const uploadsOpenApi: OpenApiSection = {
  tags: [{ name: 'uploads', description: 'The media library: images with their size, alt text, caption and the posts that show them. For tokens of the owner and authors (an author changes only their own uploads).' }],
  schemas: () => sectionSchemas({ Upload: apiUploadSchema, UploadList: apiUploadListSchema }, { UploadPatch: apiUploadPatchSchema, UploadForm: apiUploadFormSchema }),
  paths: {
    '/api/uploads': {
      get: {
        ...common,
        operationId: 'listUploads',
        security: scoped('read'),
        summary: 'List uploads',
        parameters: queryParameters(apiUploadQuerySchema),
        responses: { '200': { description: 'A page of uploads.', content: json(ref('UploadList')) }, ...readErrors, '422': response('ValidationFailed') },
      },
      post: {
        ...common,
        operationId: 'createUpload',
        security: scoped('write'),
        summary: 'Upload an image',
        description: 'The same checks as the admin: the type told by the bytes, the size limit, the image decoded and encoded again. The same bytes twice are stored once.',
        requestBody: { required: true, content: { 'multipart/form-data': { schema: ref('UploadForm') } } },
        responses: {
          '201': { description: 'The upload.', headers: { Location: { schema: { type: 'string', format: 'uri' } } }, content: json(ref('Upload')) },
          ...writeErrors,
          '413': response('PayloadTooLarge'),
          '415': response('UnsupportedMediaType'),
          '422': response('ValidationFailed'),
        },
      },
    },
    '/api/uploads/{hash}': {
      get: {
        ...common,
        operationId: 'getUpload',
        security: scoped('read'),
        summary: 'Read an upload',
        parameters: [hashParameter],
        responses: { '200': { description: 'The upload.', content: json(ref('Upload')) }, ...readErrors, '404': response('NotFound') },
      },
      patch: {
        ...common,
        operationId: 'updateUpload',
        security: scoped('write'),
        summary: 'Change the alt text or caption',
        parameters: [hashParameter],
        requestBody: { required: true, content: json(ref('UploadPatch')) },
        responses: { '200': { description: 'The upload as saved.', content: json(ref('Upload')) }, ...writeErrors, ...bodyErrors, '404': response('NotFound') },
      },
      delete: {
        ...common,
        operationId: 'deleteUpload',
        security: scoped('write'),
        summary: 'Delete an upload',
        description: 'With its smaller copies, for good. Refused (409, naming the posts; their list is the upload’s `uses`) while posts show it, unless force=true.',
        parameters: [hashParameter, ...queryParameters(apiUploadDeleteQuerySchema)],
        responses: { '204': { description: 'Deleted.' }, ...writeErrors, '404': response('NotFound'), '409': response('Conflict'), '422': response('ValidationFailed') },
      },
    },
  },
};
