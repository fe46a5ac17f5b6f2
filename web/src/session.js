import { createContext, useContext } from 'react';

/** The logged-in user: {id, email, full_name, roles}. */
export const UserContext = createContext(null);
export const useUser = () => useContext(UserContext);
/** Reads the logged-in user again (after changing one's own account). */
export const ReloadUserContext = createContext(() => {});
export const useReloadUser = () => useContext(ReloadUserContext);
export const hasRole = (user, ...roles) => (user?.roles || []).some((r) => roles.includes(r));
