import { createContext, useContext } from 'react';

/** The logged-in user: {id, email, full_name, roles}. */
export const UserContext = createContext(null);
export const useUser = () => useContext(UserContext);
export const hasRole = (user, ...roles) => (user?.roles || []).some((r) => roles.includes(r));
