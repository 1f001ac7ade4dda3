export interface FileRow {
  id: string;
  hash: string;
  created_at: Date;
  created_by: string;
  mimetype: string;
  data: Buffer;
}

/** Content types Coder accepts for template source (plus JSON, the echo provisioner's own format). */
export const AllowedFileTypes = ['application/x-tar', 'application/zip', 'application/json'];

/** Coder's HTTPFileMaxBytes. */
export const MaxFileBytes = 10 * 1024 * 1024;
