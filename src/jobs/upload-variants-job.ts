import type { Job } from '../core/jobs.ts';
import { UPLOAD_VARIANTS_JOB, type MediaLibrary } from '../core/media.ts';
import type { JobQueue } from './job-queue.ts';

/** Registers the job that makes an upload's smaller copies (sharp loads with the first one). */
export function registerUploadVariantsJob(queue: JobQueue, media: MediaLibrary): void {
  queue.register(UPLOAD_VARIANTS_JOB, async (job: Job) => {
    await media.makeVariants(String(job.payload.hash ?? ''));
  });
}
