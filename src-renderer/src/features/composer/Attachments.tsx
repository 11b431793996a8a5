/**
 * The composer's attachments: picked or dropped files, read in the page into the draft.
 */
import { useRef } from 'react';
import type { OutgoingAttachment } from '#shared/tasks';
import { formatSize } from '../mail/format.ts';
import { cleanAttachmentName } from '../reader/attachment-name.ts';

/** What the server is likely to take in one message (the common SIZE limit is 25 MB). */
const ATTACHMENTS_MAX = 25 * 1024 * 1024;

/**
 * Files picked (or dropped) are read here, in the page, into the draft: the message carries
 * their bytes, never a path another process would open.
 */
export function Attachments(props: {
  list: OutgoingAttachment[];
  onChange(list: OutgoingAttachment[]): void;
  onProblem(problem: string | undefined): void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const total = props.list.reduce((sum, a) => sum + decodedSize(a), 0);
  const add = async (files: FileList | null) => {
    if (!files?.length) return;
    const added = await Promise.all([...files].map(readAttachment));
    const next = [...props.list, ...added];
    const size = next.reduce((sum, a) => sum + decodedSize(a), 0);
    props.onProblem(
      size > ATTACHMENTS_MAX
        ? `The attachments come to ${formatSize(size)}; most servers refuse messages over 25 MB.`
        : undefined,
    );
    props.onChange(next);
  };
  return (
    <div
      className="composer-attachments"
      onDragOver={(event) => {
        if (event.dataTransfer.types.includes('Files')) event.preventDefault();
      }}
      onDrop={(event) => {
        if (!event.dataTransfer.files.length) return;
        event.preventDefault();
        void add(event.dataTransfer.files);
      }}
    >
      <ul aria-label="Attachments">
        {props.list.map((a, i) => (
          <li key={`${a.filename}-${i}`}>
            <span>{a.filename}</span> <span className="muted">{formatSize(decodedSize(a))}</span>
            <button
              type="button"
              className="link"
              aria-label={`Remove ${a.filename}`}
              onClick={() => props.onChange(props.list.filter((_, j) => j !== i))}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        aria-label="Attach files"
        onChange={(event) => {
          void add(event.target.files);
          event.target.value = '';
        }}
      />
      <button type="button" className="link" onClick={() => input.current?.click()}>
        Attach files…
      </button>
      {props.list.length > 0 && <span className="muted"> {formatSize(total)} in all</span>}
    </div>
  );
}

async function readAttachment(file: File): Promise<OutgoingAttachment> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return {
    filename: cleanAttachmentName(file.name),
    contentType: file.type || 'application/octet-stream',
    dataBase64: btoa(binary),
  };
}

export function decodedSize(a: OutgoingAttachment): number {
  return Math.floor((a.dataBase64.length * 3) / 4);
}
