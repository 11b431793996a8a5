/**
 * One recipient field of the composer (To, Cc or Bcc): addresses as chips, and the text being
 * typed in a combobox that suggests contacts harvested from synced mail.
 *
 * The field's value stays one string (`DraftContent.to/cc/bcc`): the chips joined by ", ", then
 * the text still being typed, so the composer parses, saves and sends exactly what is shown. Text
 * becomes chips on a separator (comma, semicolon, a pasted line break), Enter, Tab and leaving the
 * field; a pasted list becomes one chip per address. An entry that is not an address stays a chip,
 * marked invalid, for the user to remove or fix.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import {
  forwardRef,
  useId,
  useRef,
  useState,
  type ClipboardEvent,
  type KeyboardEvent,
} from 'react';
import {
  addressKey,
  formatAddress,
  parseAddressList,
  splitEntries,
  type ParsedAddressList,
} from '#shared/addresses';
import { suggestContacts } from '../../cache/contacts.ts';
import type { ContactRow } from '../../cache/db.ts';
import { db } from '../../state/cache.ts';
import type { AddressFieldName } from './outgoing.ts';

const MAX_SUGGESTIONS = 8;

export interface AddressFieldProps {
  field: AddressFieldName;
  label: string;
  value: string;
  onChange(value: string): void;
  onBlur(): void;
  /** Parts of the value that are not addresses (shown once the field was left). */
  invalid: readonly string[];
  autoFocus?: boolean;
  /** Addresses (keys) never suggested: the user's own. */
  exclude?: readonly string[];
}

interface Chip {
  text: string;
  parsed: ParsedAddressList;
}

const chipOf = (text: string): Chip => ({ text, parsed: parseAddressList(text) });
const isValid = (chip: Chip) =>
  chip.parsed.invalid.length === 0 && chip.parsed.addresses.length > 0;
/** What a chip is called: its address(es), or the text when it is not one. */
const chipAddress = (chip: Chip) =>
  isValid(chip) ? chip.parsed.addresses.map((a) => a.address).join(', ') : chip.text;

/** Entries of a value, trimmed, empty ones left out. */
const entriesOf = (text: string) =>
  splitEntries(text)
    .map((entry) => entry.trim())
    .filter(Boolean);

export const AddressField = forwardRef<HTMLInputElement, AddressFieldProps>(function AddressField(
  { field, label, value, onChange, onBlur, invalid, autoFocus, exclude = [] },
  ref,
) {
  const inputId = `composer-${field}`;
  const hintId = `composer-${field}-hint`;
  const listId = `composer-${field}-suggestions`;
  const optionId = useId();
  const input = useRef<HTMLInputElement | null>(null);
  // What this field last emitted; any other value came from outside (a draft opened): all chips.
  const [ours, setOurs] = useState<{ value: string; chips: string[]; text: string }>();
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<number>();
  const mine = ours?.value === value;
  const chipTexts = mine ? ours.chips : entriesOf(value);
  const text = mine ? ours.text : '';
  const chips = chipTexts.map(chipOf);

  const query = text.trim();
  const taken = chips.flatMap((chip) =>
    chip.parsed.addresses.map((a) => addressKey(a.address ?? '')),
  );
  const excluded = [...exclude, ...taken];
  const suggestions = useLiveQuery(
    () => (query ? suggestContacts(db, query, MAX_SUGGESTIONS, new Set(excluded)) : []),
    [query, excluded.join(' ')],
    [] as ContactRow[],
  );
  const expanded = open && query !== '' && suggestions.length > 0;
  // The first suggestion is picked by Enter unless what is typed is an address already.
  const fallback = parseAddressList(query).invalid.length === 0 && query ? -1 : 0;
  const active = expanded ? Math.min(chosen ?? fallback, suggestions.length - 1) : -1;

  const emit = (nextChips: string[], nextText: string) => {
    const next = [...nextChips, nextText.trim()].filter(Boolean).join(', ');
    setOurs({ value: next, chips: nextChips, text: nextText });
    setChosen(undefined);
    onChange(next);
  };

  /** Adds the entries of `typed` as chips (one per address; duplicates of a chip left out). */
  const withEntries = (typed: string): string[] => {
    const keys = new Set(taken);
    const added: string[] = [];
    for (const entry of entriesOf(typed)) {
      const parsed = parseAddressList(entry);
      if (parsed.invalid.length || parsed.addresses.length === 0) {
        added.push(entry);
        continue;
      }
      for (const address of parsed.addresses) {
        const key = addressKey(address.address ?? '');
        if (keys.has(key)) continue;
        keys.add(key);
        added.push(formatAddress(address));
      }
    }
    return [...chipTexts, ...added];
  };

  const commit = (typed = text, rest = '') => {
    setOpen(false);
    emit(withEntries(typed), rest);
  };

  const pick = (contact: ContactRow) => {
    const name = contact.name;
    setOpen(false);
    emit(
      withEntries(
        formatAddress(name ? { name, address: contact.address } : { address: contact.address }),
      ),
      '',
    );
    input.current?.focus();
  };

  const remove = (index: number) => {
    emit(
      chipTexts.filter((_, i) => i !== index),
      text,
    );
    input.current?.focus();
  };

  const onType = (typed: string) => {
    const entries = splitEntries(typed);
    setOpen(true);
    // A separator outside quotes and brackets ends the entries before it.
    if (entries.length > 1)
      commit(entries.slice(0, -1).join(','), (entries.at(-1) ?? '').trimStart());
    else emit(chipTexts, typed);
  };

  const onPaste = (event: ClipboardEvent<HTMLInputElement>) => {
    const pasted = event.clipboardData.getData('text');
    const target = event.currentTarget;
    const whole =
      target.value.slice(0, target.selectionStart ?? target.value.length) +
      pasted +
      target.value.slice(target.selectionEnd ?? target.value.length);
    // A list, or a whole address: chips at once. Anything else is typing.
    const parsed = parseAddressList(whole);
    const complete = parsed.invalid.length === 0 && parsed.addresses.length > 0;
    if (!complete && splitEntries(pasted).length < 2 && !/[\r\n]/.test(pasted)) return;
    event.preventDefault();
    commit(whole);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const count = suggestions.length;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        if (!query || count === 0) return;
        event.preventDefault();
        if (!expanded) {
          setOpen(true);
          setChosen(event.key === 'ArrowDown' ? 0 : count - 1);
          return;
        }
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setChosen(
          ((((active < 0 ? (step > 0 ? -1 : count) : active) + step) % count) + count) % count,
        );
        return;
      }
      case 'Enter':
      case 'Tab': {
        if (!query) return;
        event.preventDefault();
        const contact = active >= 0 ? suggestions[active] : undefined;
        if (contact) pick(contact);
        else commit();
        return;
      }
      case 'Escape':
        if (!expanded) return;
        event.preventDefault();
        event.stopPropagation();
        setOpen(false);
        return;
      case 'Backspace':
        if (text !== '' || chipTexts.length === 0) return;
        event.preventDefault();
        remove(chipTexts.length - 1);
        return;
    }
  };

  const optionIdOf = (index: number) => `${optionId}-option-${index}`;
  const describedBy = invalid.length ? hintId : undefined;
  return (
    <div className="composer-row">
      <label htmlFor={inputId}>{label}</label>
      <div className="address-box">
        {chips.length > 0 && (
          <ul className="address-chips">
            {chips.map((chip, index) => (
              <AddressChip
                key={`${index}:${chip.text}`}
                chip={chip}
                onRemove={() => remove(index)}
              />
            ))}
          </ul>
        )}
        <input
          id={inputId}
          ref={(node) => {
            input.current = node;
            if (typeof ref === 'function') ref(node);
            else if (ref) ref.current = node;
          }}
          value={text}
          autoFocus={autoFocus}
          role="combobox"
          aria-expanded={expanded}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={active >= 0 ? optionIdOf(active) : undefined}
          autoComplete="off"
          onChange={(e) => onType(e.target.value)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onBlur={() => {
            if (query) commit();
            else setOpen(false);
            onBlur();
          }}
          aria-invalid={invalid.length ? true : undefined}
          aria-describedby={describedBy}
          placeholder={field === 'to' && chips.length === 0 ? 'name@example.org, …' : ''}
        />
        <ul
          id={listId}
          role="listbox"
          aria-label={`Suggestions for ${label}`}
          className="address-suggestions"
          hidden={!expanded}
        >
          {expanded &&
            suggestions.map((contact, index) => (
              <li
                key={contact.address}
                id={optionIdOf(index)}
                role="option"
                aria-selected={index === active}
                // Keeps the focus (and the text) in the field: a blur would commit the text.
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => pick(contact)}
              >
                {contact.name ? (
                  <>
                    {contact.name}{' '}
                    <span className="suggestion-address">&lt;{contact.address}&gt;</span>
                  </>
                ) : (
                  contact.address
                )}
              </li>
            ))}
        </ul>
      </div>
      {invalid.length > 0 && (
        <span id={hintId} className="field-hint">
          Not an address: {invalid.join(', ')}
        </span>
      )}
    </div>
  );
});

function AddressChip({ chip, onRemove }: { chip: Chip; onRemove(): void }) {
  const valid = isValid(chip);
  const [first] = chip.parsed.addresses;
  const named = valid && chip.parsed.addresses.length === 1 && first?.name;
  return (
    <li
      className={valid ? 'address-chip' : 'address-chip invalid'}
      aria-invalid={valid ? undefined : true}
      title={chip.text}
    >
      {named ? (
        <span className="address-chip-text">
          {first.name}
          <span className="visually-hidden"> {first.address}</span>
        </span>
      ) : (
        <span className="address-chip-text">{chipAddress(chip)}</span>
      )}
      {!valid && <span className="visually-hidden"> (not an address)</span>}
      <button
        type="button"
        className="address-chip-remove"
        aria-label={`Remove ${chipAddress(chip)}`}
        // Not a stop on the way through the form: Backspace in the field removes chips too.
        tabIndex={-1}
        onMouseDown={(event) => event.preventDefault()}
        onClick={onRemove}
      >
        ×
      </button>
    </li>
  );
}
