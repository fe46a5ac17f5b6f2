import { useEffect } from 'react';
import { setNavigationBlocker } from '../../router.js';
import { confirmDialog } from '../../ui.jsx';

/** While there are unsaved changes, leaving (in-app navigation or closing the tab) asks first. */
export function useLeaveGuard(dirty) {
  useEffect(() => {
    if (!dirty) return undefined;
    const onUnload = (e) => { e.preventDefault(); e.returnValue = ''; };
    window.addEventListener('beforeunload', onUnload);
    const unblock = setNavigationBlocker(() => confirmDialog('This workflow has unsaved changes. Leave without saving them?', { ok: 'Leave without saving', cancel: 'Stay', danger: true }));
    return () => {
      window.removeEventListener('beforeunload', onUnload);
      unblock();
    };
  }, [dirty]);
}
