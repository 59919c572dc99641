import { randomBytes } from 'node:crypto';
import type { ImportReport, ImportSource } from './import-report.ts';
import { ImportFormatError, ImportParseError } from './import-errors.ts';

export interface ImportJob {
  id: string;
  source: ImportSource;
  fileName: string;
  dryRun: boolean;
  totalBytes: number;
  bytesRead: number;
  state: 'running' | 'done' | 'failed';
  report: ImportReport | null;
  /** Why it failed, in words for the person who started it. */
  error: string | null;
  /** True when the file itself is at fault (not well-formed, not an export). */
  badFile: boolean;
  /** Settles when the job ends (never rejects). */
  finished: Promise<void>;
  /**
   * The uploaded file, kept only while a finished Disqus import has threads matched to no
   * post, so the owner can assign them and import their comments without uploading again.
   */
  upload?: Blob;
}

/** Kept for the result pages; older ones are forgotten. */
const KEEP = 20;

/**
 * Imports started from the admin run here in the background, one at a time, with their
 * progress in memory for the progress bar to poll. (A job lives on the instance that
 * runs it; its result page is reached through the same instance's redirect.)
 */
export class ImportJobs {
  private readonly jobs = new Map<string, ImportJob>();
  private readonly onFailure: (job: ImportJob, error: unknown) => void;

  constructor(onFailure: (job: ImportJob, error: unknown) => void = () => {}) {
    this.onFailure = onFailure;
  }

  running(): ImportJob | null {
    return [...this.jobs.values()].find((j) => j.state === 'running') ?? null;
  }

  get(id: string): ImportJob | null {
    return this.jobs.get(id) ?? null;
  }

  start(
    meta: { source: ImportSource; fileName: string; dryRun: boolean; totalBytes: number },
    run: (onProgress: (bytes: number) => void) => Promise<ImportReport>,
  ): ImportJob {
    const job: ImportJob = { id: randomBytes(9).toString('base64url'), ...meta, bytesRead: 0, state: 'running', report: null, error: null, badFile: false, finished: Promise.resolve() };
    job.finished = run((bytes) => (job.bytesRead = bytes)).then(
      (report) => {
        job.report = report;
        job.bytesRead = job.totalBytes;
        job.state = 'done';
      },
      (error: unknown) => {
        job.state = 'failed';
        if (error instanceof ImportParseError) {
          job.badFile = true;
          job.error = `The file is not well-formed XML, so nothing was imported. ${error.problems.map((p) => `At ${p}.`).join(' ')}`;
        } else if (error instanceof ImportFormatError) {
          job.badFile = true;
          job.error = `${error.message} Nothing was imported.`;
        } else {
          job.error = `The import failed, so nothing was imported: ${error instanceof Error ? error.message : String(error)}`;
          this.onFailure(job, error);
        }
      },
    );
    this.jobs.set(job.id, job);
    for (const id of [...this.jobs.keys()].slice(0, Math.max(0, this.jobs.size - KEEP))) if (this.jobs.get(id)!.state !== 'running') this.jobs.delete(id);
    return job;
  }
}
