import { useEffect, useId, useRef, useState } from 'react';
import { Tag } from '../ui.jsx';

/**
 * The account menu of the top bar: who is logged in, Change password and
 * Log out. A menu button: Enter, Space or the arrow keys open it, the arrow
 * keys, Home and End move between the items, Escape closes it.
 */
export default function UserMenu({ user, onChangePassword, onLogout }) {
  const [open, setOpen] = useState(false);
  const btn = useRef(null);
  const pop = useRef(null);
  const menuId = useId();
  const name = user.full_name || user.email;
  const items = () => [...(pop.current?.querySelectorAll('[role="menuitem"]') || [])];

  useEffect(() => {
    if (!open) return undefined;
    items()[0]?.focus();
    const outside = (e) => {
      if (!pop.current?.contains(e.target) && !btn.current?.contains(e.target)) setOpen(false);
    };
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, [open]);

  const close = () => {
    setOpen(false);
    btn.current?.focus();
  };
  // The button takes the focus before the action, so that a dialog it opens gives the focus back to it.
  const choose = (e) => {
    close();
    (e.currentTarget.dataset.action === 'password' ? onChangePassword : onLogout)();
  };
  const onMenuKey = (e) => {
    const list = items();
    const i = list.indexOf(document.activeElement);
    const to = (n) => {
      e.preventDefault();
      list[(n + list.length) % list.length]?.focus();
    };
    switch (e.key) {
      case 'ArrowDown': to(i + 1); break;
      case 'ArrowUp': to(i - 1); break;
      case 'Home': to(0); break;
      case 'End': to(list.length - 1); break;
      case 'Escape':
        e.stopPropagation();
        e.preventDefault();
        close();
        break;
      case 'Tab':
        // Leave the menu: the focus goes on from the menu button.
        close();
        break;
      default:
    }
  };

  return (
    <div className="user-menu">
      <button ref={btn} type="button" className="btn btn-ghost btn-small user-menu-btn" aria-haspopup="menu" aria-expanded={open}
        aria-controls={open ? menuId : undefined} title={`${user.email} (${(user.roles || []).join(', ')})`}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            setOpen(true);
          }
        }}>
        <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true"><circle cx="10" cy="7" r="3.5" fill="none" stroke="currentColor" strokeWidth="1.8" /><path d="M3.5 17c.8-3.2 3.4-5 6.5-5s5.7 1.8 6.5 5" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" /></svg>
        <span className="sr-only">Account: </span>
        <span className="user-name">{name}</span>
        <svg viewBox="0 0 10 6" width="10" height="6" aria-hidden="true"><path d="M1 1l4 4 4-4" fill="none" stroke="currentColor" strokeWidth="1.6" /></svg>
      </button>
      {open && (
        <div className="user-menu-pop" ref={pop}>
          <div className="user-menu-who">
            {user.full_name && <div className="strong break">{user.full_name}</div>}
            <div className="muted break">{user.email}</div>
            <div>{(user.roles || []).map((r) => <Tag key={r}>{r}</Tag>)}</div>
          </div>
          <div id={menuId} role="menu" aria-label="Account" onKeyDown={onMenuKey}>
            <button type="button" role="menuitem" tabIndex={-1} className="menu-item" data-action="password" onClick={choose}>Change password</button>
            <button type="button" role="menuitem" tabIndex={-1} className="menu-item" data-action="logout" onClick={choose}>Log out</button>
          </div>
        </div>
      )}
    </div>
  );
}
