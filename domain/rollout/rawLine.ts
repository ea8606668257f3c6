/**
 * One physical line of a rollout file, exactly as stored. `text` excludes the trailing "\n"
 * (and a leading UTF-8 BOM on the first line); `byteLength` counts the bytes of `text` only.
 */
export interface RawLine {
  /** 0-based index of the line in its file. */
  readonly ordinal: number;
  readonly byteOffset: number;
  readonly byteLength: number;
  readonly text: string;
}

/** A line that could not be read as a rollout line; kept with its byte range, never dropped. */
export interface QuarantineRecord {
  readonly path: string;
  readonly ordinal: number;
  readonly byteOffset: number;
  readonly byteLength: number;
  readonly reason: string;
  /** The undecodable bytes as text (lossy only for invalid UTF-8, which the range still pins down; an over-size line's first 64 KiB). */
  readonly text: string;
}
