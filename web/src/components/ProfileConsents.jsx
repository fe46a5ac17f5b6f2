import { useState } from 'react';
import * as api from '../api.js';
import { BusyButton, ErrorBox, Spinner, formatTime, notify, notifyError, useAsync } from '../ui.jsx';

/** A profile's consents: each consent type, whether it is held and in force, with grant and revoke. */
export default function ProfileConsents({ profileId }) {
  const { data, error, loading, reload } = useAsync(() => api.profileConsents(profileId), [profileId]);
  const [busy, setBusy] = useState('');
  const change = async (item, grant) => {
    setBusy(item.id);
    try {
      await (grant ? api.grantConsent(profileId, item.id) : api.revokeConsent(profileId, item.id));
      notify(grant ? `Consent "${item.name}" granted.` : `Consent "${item.name}" revoked.`);
      reload();
    } catch (err) {
      notifyError(err);
    } finally {
      setBusy('');
    }
  };
  const items = data?.result || [];
  return (
    <>
      <h2 id="h-consents">Consents</h2>
      <ErrorBox error={error} onRetry={reload} />
      {loading && !data ? <Spinner /> : items.length === 0 ? <p className="muted">No consent types are defined.</p> : (
        <table className="kv-table" aria-labelledby="h-consents">
          <tbody>
            {items.map((c) => (
              <tr key={c.id}>
                <th scope="row">{c.name}</th>
                <td>
                  {c.in_force ? 'granted' : c.held ? 'revoked' : 'not granted'}
                  {c.consent?.revoke && <span className="muted small"> {c.in_force ? 'until' : 'on'} {formatTime(c.consent.revoke)}</span>}
                  {' '}
                  {!c.unknown_type && (c.in_force
                    ? <BusyButton className="btn btn-small" busy={busy === c.id} onClick={() => change(c, false)} aria-label={`Revoke ${c.name}`}>Revoke</BusyButton>
                    : <BusyButton className="btn btn-small" busy={busy === c.id} onClick={() => change(c, true)} aria-label={`Grant ${c.name}`}>Grant</BusyButton>)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
