/** Small outline icons for folders (24×24 paths drawn for Petrel, stroke in the text colour). */
import type { FolderRole } from '#shared/mail';

const PATHS: Record<FolderRole | 'folder' | 'shared', string> = {
  inbox: 'M3 13h5l2 3h4l2-3h5M5 5h14l2 8v6H3v-6z',
  drafts: 'M4 20h4L19 9l-4-4L4 16zM13 7l4 4',
  sent: 'M3 11l18-8-8 18-2-8z',
  archive: 'M3 4h18v4H3zM5 8v12h14V8M10 12h4',
  all: 'M4 6h16M4 12h16M4 18h16',
  flagged: 'M5 21V4h11l-2 4 2 4H5',
  junk: 'M12 3l9 16H3zM12 10v4M12 17v.5',
  trash: 'M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13',
  folder: 'M3 6h6l2 2h10v11H3z',
  shared: 'M3 6h6l2 2h10v11H3zM9 16a3 3 0 016 0M12 13a1.5 1.5 0 100-.01',
};

export function FolderIcon({ kind }: { kind: FolderRole | 'folder' | 'shared' }) {
  return (
    <svg
      className="folder-icon"
      viewBox="0 0 24 24"
      width="16"
      height="16"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.7"
      strokeLinejoin="round"
      strokeLinecap="round"
    >
      <path d={PATHS[kind]} />
    </svg>
  );
}
