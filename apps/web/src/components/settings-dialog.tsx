import { type FormEvent, useState } from 'react';
import { ModalDialog } from './modal-dialog';

export interface SettingsDialogProps {
  open: boolean;
  apiToken: string;
  onSave: (apiToken: string) => void;
  onClose: () => void;
}

/** The API token for a server started with CODY_API_TOKEN (kept in this browser's storage). */
export function SettingsDialog({ open, apiToken, onSave, onClose }: SettingsDialogProps) {
  return (
    <ModalDialog open={open} title="Settings" onClose={onClose}>
      {open ? <SettingsForm apiToken={apiToken} onSave={onSave} onClose={onClose} /> : null}
    </ModalDialog>
  );
}

function SettingsForm({ apiToken, onSave, onClose }: Omit<SettingsDialogProps, 'open'>) {
  const [token, setToken] = useState(apiToken);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSave(token.trim());
  };
  return (
    <form onSubmit={submit}>
      <label className="field field-block">
        <span className="field-label">API token</span>
        <input
          type="password"
          value={token}
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => setToken(event.target.value)}
          aria-describedby="token-help"
        />
      </label>
      <p id="token-help" className="muted">
        Only needed when the server sets <code>CODY_API_TOKEN</code>. Sent as{' '}
        <code>Authorization: Bearer</code> and stored in this browser.
      </p>
      <div className="modal-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        {apiToken ? (
          <button type="button" onClick={() => onSave('')}>
            Remove token
          </button>
        ) : null}
        <button type="submit" className="button-primary">
          Save
        </button>
      </div>
    </form>
  );
}
