/**
 * The message body of the composer. Plain text for now: a textarea.
 */
import type { ComposerDraft } from '../../state/store.ts';

export function BodyEditor({
  draft,
  onChange,
}: {
  draft: ComposerDraft;
  onChange(patch: Partial<ComposerDraft>): void;
}) {
  return (
    <>
      <label htmlFor="composer-body" className="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-body"
        className="composer-body"
        value={draft.body}
        onChange={(e) => onChange({ body: e.target.value })}
      />
    </>
  );
}
