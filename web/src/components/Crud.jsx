import { useRef, useState } from 'react';
import * as api from '../api.js';
import { BusyButton, Empty, ErrorBox, FormError, Modal, Spinner, StaleNotice, apiFieldErrors, useFocusFirstError } from '../ui.jsx';

// The shared parts of the configuration pages (event sources, destinations,
// resources, segments, consent types, identity): the page head with its New
// button, the list with its loading, error and empty states, a row's Edit
// and Delete buttons, and the edit dialog with its form state, checks,
// save with the version and field errors.

/**
 * Keeps an edit dialog's form: its values, the field errors (from
 * validate(form) first, then from the server's answer), the notice that
 * someone else changed the document, and the busy state while saving.
 * submit runs validate, then save(form), then onSaved.
 */
export function useEditForm(initial, { validate, save, onSaved }) {
  const [form, setForm] = useState(initial);
  const [errors, setErrors] = useState({});
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  const set = (k) => (v) => setForm((f) => ({ ...f, [k]: v }));
  const submit = async (e) => {
    e.preventDefault();
    const errs = validate ? validate(form) : {};
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await save(form);
      onSaved();
    } catch (err) {
      setStale(api.isStale(err));
      setErrors(api.isStale(err) ? {} : apiFieldErrors(err));
    } finally {
      setBusy(false);
    }
  };
  /** reload(load) runs load (which fetches the current document and resets the form) and clears the stale notice. */
  const reload = async (load) => {
    try {
      await load();
      setStale(false);
    } catch (err) {
      setErrors(apiFieldErrors(err));
    }
  };
  return { form, setForm, set, errors, setErrors, stale, busy, submit, reload };
}

/**
 * A modal holding the form of useEditForm (edit): the stale notice (its
 * Reload runs onReload, or closes the dialog), the form's general error,
 * the focus moved to the first field in error,
 * the fields (children), and Cancel and Create or Save (busy also while
 * busy is set).
 */
export function FormDialog({ edit, id, title, what, isNew, onClose, onReload, wide = false, busy = false, children }) {
  const formRef = useRef(null);
  useFocusFirstError(formRef, edit.errors);
  return (
    <Modal title={title} onClose={onClose} wide={wide}
      footer={<>
        <button type="button" className="btn" onClick={onClose}>Cancel</button>
        <BusyButton type="submit" form={id} className="btn btn-primary" busy={edit.busy || busy}>{isNew ? 'Create' : 'Save'}</BusyButton>
      </>}>
      <form id={id} ref={formRef} onSubmit={edit.submit} noValidate>
        <StaleNotice show={edit.stale} onReload={onReload || onClose} what={what} />
        <FormError error={edit.errors['']} />
        {children}
      </form>
    </Modal>
  );
}

/** A configuration page's title, its New button and what the page is for. */
export function PageHead({ title, newLabel, onNew, children }) {
  return (
    <>
      <div className="page-head">
        <h1>{title}</h1>
        <button type="button" className="btn btn-primary" onClick={onNew}>{newLabel}</button>
      </div>
      {children && <p className="muted">{children}</p>}
    </>
  );
}

/**
 * A list of useAsync (list): its error with Retry, a spinner while it first
 * loads, the empty text when it has no items, else a table of columns (the
 * header cells; an Actions column is added) and one row(item) per item.
 */
export function ListTable({ list, items, empty, columns, row }) {
  const { data, error, loading, reload } = list;
  return (
    <>
      <ErrorBox error={error} onRetry={reload} />
      {loading && !data ? <Spinner /> : error && !data ? null : items.length === 0 ? <Empty>{empty}</Empty> : (
        <div className="table-wrap">
          <table className="table">
            <thead><tr>{columns}<th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>{items.map(row)}</tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** A row's actions cell: other actions (children), then Edit and Delete, labelled with the item's name. */
export function RowActions({ name, onEdit, onDelete, children }) {
  return (
    <td className="row-actions">
      {children}
      <button type="button" className="btn btn-small" onClick={onEdit} aria-label={`Edit ${name}`}>Edit</button>
      <button type="button" className="btn btn-small btn-danger-ghost" onClick={onDelete} aria-label={`Delete ${name}`}>Delete</button>
    </td>
  );
}
