/**
 * The "Identities" part of an account's settings: the name recipients see and the signature of
 * the account's own address, and aliases (other addresses the account sends as, each with its
 * name and signature) to add and remove. Saved with the account (`AccountSettings.identities`).
 */
import { useId } from 'react';
import type { Identity } from '#shared/accounts';
import { identitiesOf } from '#shared/identities';

interface Props {
  /** The account's address: its main identity. */
  email: string;
  identities: Identity[] | undefined;
  onChange(identities: Identity[]): void;
}

export function IdentitiesFields({ email, identities, onChange }: Props) {
  const [main, ...aliases] = identitiesOf({ email, identities }) as [Identity, ...Identity[]];
  const save = (nextMain: Identity, nextAliases: Identity[]) =>
    onChange([nextMain, ...nextAliases]);
  const setAlias = (index: number, patch: Partial<Identity>) =>
    save(
      main,
      aliases.map((alias, i) => (i === index ? { ...alias, ...patch } : alias)),
    );
  return (
    <fieldset className="identities">
      <legend>Identities</legend>
      <IdentityFields
        title={`Main identity: ${email}`}
        identity={main}
        onChange={(patch) => save({ ...main, ...patch }, aliases)}
      />
      {aliases.map((alias, index) => (
        <IdentityFields
          key={index}
          title={`Alias ${index + 1}`}
          identity={alias}
          editableAddress
          onChange={(patch) => setAlias(index, patch)}
          onRemove={() =>
            save(
              main,
              aliases.filter((_, i) => i !== index),
            )
          }
        />
      ))}
      <button
        type="button"
        onClick={() => save(main, [...aliases, { address: '', name: main.name, signature: '' }])}
      >
        Add alias
      </button>
    </fieldset>
  );
}

function IdentityFields(props: {
  title: string;
  identity: Identity;
  editableAddress?: boolean;
  onChange(patch: Partial<Identity>): void;
  onRemove?: () => void;
}) {
  const { title, identity, editableAddress, onChange, onRemove } = props;
  const id = useId();
  return (
    <div className="identity" role="group" aria-label={title}>
      <p className="identity-title">{title}</p>
      <div className="field-grid">
        {editableAddress && (
          <div className="field">
            <label htmlFor={`${id}-address`}>Address</label>
            <input
              id={`${id}-address`}
              type="email"
              required
              value={identity.address}
              onChange={(e) => onChange({ address: e.target.value })}
            />
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-name`}>Your name</label>
          <input
            id={`${id}-name`}
            value={identity.name}
            placeholder="As recipients see it"
            onChange={(e) => onChange({ name: e.target.value })}
          />
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-signature`}>Signature</label>
        <textarea
          id={`${id}-signature`}
          value={identity.signature}
          onChange={(e) => onChange({ signature: e.target.value })}
        />
      </div>
      {onRemove && (
        <button type="button" onClick={onRemove}>
          Remove alias {identity.address}
        </button>
      )}
    </div>
  );
}
