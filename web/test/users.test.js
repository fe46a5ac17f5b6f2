import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPasswordForm, formErrors, formField, userChange } from '../src/lib/users.js';

const ann = { id: 'ann@example.com', email: 'ann@example.com', full_name: 'Ann', roles: ['marketer', 'developer'], disabled: false };

test('a user change sends only what the form changed', () => {
  const same = { full_name: 'Ann ', roles: ['developer', 'marketer'], password: '', disabled: false };
  assert.deepEqual(userChange(ann, same), {}, 'trimmed name, roles in another order, no password: nothing');
  assert.deepEqual(userChange(ann, { ...same, roles: ['marketer'] }), { roles: ['marketer'] });
  assert.deepEqual(userChange(ann, { ...same, full_name: '  Ann Lee ' }), { full_name: 'Ann Lee' });
  assert.deepEqual(userChange(ann, { ...same, password: 'new-secret' }), { password: 'new-secret' });
  assert.deepEqual(userChange(ann, { ...same, disabled: true }), { disabled: true });
  assert.deepEqual(userChange({ ...ann, disabled: true }, { ...same, disabled: false }), { disabled: false });
  assert.deepEqual(userChange({ id: 'x', roles: null }, { full_name: '', roles: ['admin'], password: '', disabled: false }), { roles: ['admin'] });
});

test('API error fields map to form fields', () => {
  assert.equal(formField('roles[0]'), 'roles');
  assert.equal(formField('roles.2'), 'roles');
  assert.equal(formField('password'), 'password');
  assert.equal(formField(undefined), '');
});

test('a 422 becomes sentences at the fields; the rest and a 409 go to the form', () => {
  const labels = { roles: 'Roles', password: 'New password', full_name: 'Full name' };
  const e422 = {
    status: 422, detail: 'roles[1]: unknown role "boss"; password: is too short',
    errors: [
      { field: 'roles[1]', message: 'unknown role "boss"; roles are admin, developer, marketer, maintainer' },
      { field: 'password', message: 'is too short: at least 12 characters, got 3' },
    ],
  };
  assert.deepEqual(formErrors(e422, labels), {
    roles: 'Roles: unknown role "boss"; roles are admin, developer, marketer, maintainer.',
    password: 'New password is too short: at least 12 characters, got 3.',
  });
  const two = { status: 422, errors: [{ field: 'roles[0]', message: 'expected a string, got number' }, { field: 'roles[1]', message: 'unknown role "x"' }] };
  assert.equal(formErrors(two, labels).roles, 'Roles: expected a string, got number. Roles: unknown role "x".');
  const unknown = { status: 422, detail: 'colour: unknown field', errors: [{ field: 'colour', message: 'unknown field' }] };
  assert.deepEqual(formErrors(unknown, labels), { '': 'Colour: unknown field' });
  const conflict = { status: 409, detail: 'you cannot disable your own account; another admin can', errors: [] };
  assert.deepEqual(formErrors(conflict, labels), { '': 'You cannot disable your own account; another admin can' });
  assert.deepEqual(formErrors(new Error('Cannot reach the server.'), labels), { '': 'Cannot reach the server.' });
  assert.deepEqual(formErrors({ status: 422, errors: [{ field: 'current_password', message: 'is not your password' }] }, { current_password: 'Current password' }),
    { current_password: 'Current password is not your password.' });
});

test('the change-password form checks what needs no server', () => {
  assert.deepEqual(checkPasswordForm({ current_password: '', new_password: 'short', repeat: '' }), {
    current_password: 'Enter your current password.', new_password: 'Use at least 12 characters.',
  });
  assert.deepEqual(checkPasswordForm({ current_password: 'old-secret-pass', new_password: 'old-secret-pass', repeat: 'old-secret-pass' }), {
    new_password: 'Choose a password other than the current one.',
  });
  assert.deepEqual(checkPasswordForm({ current_password: 'old-secret-pass', new_password: 'new-secret-pass', repeat: 'new-secret-pas' }), {
    repeat: 'The passwords differ: type the new password again.',
  });
  assert.deepEqual(checkPasswordForm({ current_password: 'old-secret', new_password: 'ünïcödé-ünïc', repeat: 'ünïcödé-ünïc' }), {}, 'characters, not bytes');
  assert.deepEqual(checkPasswordForm({ current_password: 'old-secret', new_password: 'ünïcödé-ünï', repeat: 'ünïcödé-ünï' }),
    { new_password: 'Use at least 12 characters.' }, '11 characters (17 bytes) are too few');
});
