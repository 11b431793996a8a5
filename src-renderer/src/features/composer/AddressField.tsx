/**
 * One recipient field of the composer (To, Cc or Bcc). The value is the text the user typed;
 * addresses it names that are not addresses are marked once the field was left.
 */
import { forwardRef } from 'react';
import type { AddressFieldName } from './outgoing.ts';

export interface AddressFieldProps {
  field: AddressFieldName;
  label: string;
  value: string;
  onChange(value: string): void;
  onBlur(): void;
  /** Parts of the value that are not addresses (shown once the field was left). */
  invalid: readonly string[];
  autoFocus?: boolean;
}

export const AddressField = forwardRef<HTMLInputElement, AddressFieldProps>(function AddressField(
  { field, label, value, onChange, onBlur, invalid, autoFocus },
  ref,
) {
  const hintId = `composer-${field}-hint`;
  return (
    <div className="composer-row">
      <label htmlFor={`composer-${field}`}>{label}</label>
      <input
        id={`composer-${field}`}
        ref={ref}
        value={value}
        autoFocus={autoFocus}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onBlur}
        aria-invalid={invalid.length ? true : undefined}
        aria-describedby={invalid.length ? hintId : undefined}
        placeholder={field === 'to' ? 'name@example.org, …' : ''}
      />
      {invalid.length > 0 && (
        <span id={hintId} className="field-hint">
          Not an address: {invalid.join(', ')}
        </span>
      )}
    </div>
  );
});
