import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import * as api from './api.js';
import { useRoute } from './router.js';
import { ConfirmHost, ErrorBox, Link, Spinner, Toasts, notifyError } from './ui.jsx';
import { ReloadUserContext, UserContext } from './session.js';
import ChangePasswordDialog from './components/ChangePassword.jsx';
import UserMenu from './components/UserMenu.jsx';
import Login from './pages/Login.jsx';
import Dashboard from './pages/Dashboard.jsx';
import Flows from './pages/Flows.jsx';
import Plugins from './pages/Plugins.jsx';
import Sources from './pages/Sources.jsx';
import Rules from './pages/Rules.jsx';
import Resources from './pages/Resources.jsx';
import Destinations from './pages/Destinations.jsx';
import Jobs from './pages/Jobs.jsx';
import Schedules from './pages/Schedules.jsx';
import Profiles from './pages/Profiles.jsx';
import Records from './pages/Records.jsx';
import ProfileDetail from './pages/ProfileDetail.jsx';
import Users from './pages/Users.jsx';
import Segments from './pages/Segments.jsx';
import ConsentTypes from './pages/ConsentTypes.jsx';
import { EventMappings, IdentificationPoints } from './pages/Identity.jsx';

// The editor brings React Flow and the layout engine: load it on first use.
const Editor = lazy(() => import('./editor/Editor.jsx'));


const NAV = [
  { to: '/dashboard', label: 'Dashboard', match: ['dashboard', ''] },
  { to: '/flows', label: 'Workflows', match: ['flows', 'flow'] },
  { to: '/plugins', label: 'Plugins', match: ['plugins'] },
  { to: '/sources', label: 'Event sources', match: ['sources'] },
  { to: '/rules', label: 'Rules', match: ['rules'] },
  { to: '/resources', label: 'Resources', match: ['resources'] },
  { to: '/destinations', label: 'Destinations', match: ['destinations', 'destination'], role: ['admin', 'developer'] },
  { to: '/jobs', label: 'Jobs', match: ['jobs'], role: ['admin', 'developer', 'maintainer'] },
  { to: '/schedules', label: 'Schedules', match: ['schedules'], role: ['admin', 'developer'] },
  { to: '/profiles', label: 'Profiles', match: ['profiles', 'profile'] },
  { to: '/events', label: 'Events', match: ['events'] },
  { to: '/sessions', label: 'Sessions', match: ['sessions'] },
  { to: '/users', label: 'Users', match: ['users'], role: 'admin' },
  { to: '/segments', label: 'Segments', match: ['segments'], role: ['admin', 'developer', 'marketer'] },
  { to: '/consents', label: 'Consents', match: ['consents'], role: ['admin', 'developer', 'marketer'] },
  { to: '/identification', label: 'Identification', match: ['identification'] },
  { to: '/event-mappings', label: 'Event mappings', match: ['event-mappings'] },
];

function TopBar({ user, route, onLogout }) {
  const [open, setOpen] = useState(false);
  const [changingPassword, setChangingPassword] = useState(false);
  const section = route.parts[0] || '';
  // The menu closes when the route changes.
  const [seenPath, setSeenPath] = useState(route.path);
  if (seenPath !== route.path) {
    setSeenPath(route.path);
    setOpen(false);
  }
  const items = NAV.filter((n) => !n.role || [].concat(n.role).some((r) => user.roles?.includes(r)));
  return (
    <>
      <header className="topbar">
        <Link to="/dashboard" className="brand" aria-label="Tracflow home">
          <svg viewBox="0 0 32 32" width="24" height="24" aria-hidden="true"><rect width="32" height="32" rx="7" fill="currentColor" /><path d="M8 10h16M16 10v14M11 18l5 6 5-6" stroke="#fff" strokeWidth="3" fill="none" strokeLinecap="round" /></svg>
          <span>Tracflow</span>
        </Link>
        <button type="button" className="btn btn-ghost nav-toggle" aria-expanded={open} aria-controls="main-nav" onClick={() => setOpen(!open)}>Menu</button>
        <nav id="main-nav" className={`nav ${open ? 'nav-open' : ''}`} aria-label="Main">
          {items.map((n) => (
            <Link key={n.to} to={n.to} className={`nav-link ${n.match.includes(section) ? 'active' : ''}`}
              aria-current={n.match.includes(section) ? 'page' : undefined}>{n.label}</Link>
          ))}
        </nav>
        <div className="user-box">
          <UserMenu user={user} onChangePassword={() => setChangingPassword(true)} onLogout={onLogout} />
        </div>
      </header>
      {changingPassword && <ChangePasswordDialog user={user} onClose={() => setChangingPassword(false)} />}
    </>
  );
}

function Page({ route }) {
  const [a, b] = route.parts;
  switch (a || 'dashboard') {
    case 'dashboard': return <Dashboard />;
    case 'flows': return <Flows />;
    case 'flow': return (
      <Suspense fallback={<Spinner label="Loading the editor…" />}>
        <Editor key={b} flowId={b} />
      </Suspense>
    );
    case 'plugins': return <Plugins />;
    case 'sources': return <Sources />;
    case 'rules': return <Rules />;
    case 'resources': return <Resources />;
    case 'destinations': return <Destinations />;
    case 'destination': return <Destinations key={b} deliveriesOf={b} />;
    case 'jobs': return <Jobs query={route.query} />;
    case 'schedules': return <Schedules />;
    case 'profiles': return <Profiles query={route.query} />;
    case 'events': return <Records key="event" kind="event" query={route.query} />;
    case 'sessions': return <Records key="session" kind="session" query={route.query} />;
    case 'profile': return <ProfileDetail key={b} id={b} />;
    case 'users': return <Users />;
    case 'segments': return <Segments />;
    case 'consents': return <ConsentTypes />;
    case 'identification': return <IdentificationPoints />;
    case 'event-mappings': return <EventMappings />;
    default: return <div className="page"><h1>Page not found</h1><p><Link to="/dashboard">Go to the dashboard</Link></p></div>;
  }
}

export default function App() {
  const route = useRoute();
  const [user, setUser] = useState(null);
  const [checking, setChecking] = useState(api.hasToken());
  const [loginNote, setLoginNote] = useState('');
  const [bootError, setBootError] = useState(null);
  const [expired, setExpired] = useState(false);

  const loadMe = useCallback(() => api.me().then(
    (me) => { setBootError(null); setUser(me); },
    (e) => { if (e.status !== 401) setBootError(e); },
  ).finally(() => setChecking(false)), []);

  // After changing one's own account: read it again, quietly (the page stays on errors).
  const reloadUser = useCallback(async () => {
    try {
      setUser(await api.me());
    } catch {
      // A 401 opens the login dialog; anything else leaves the user as it was.
    }
  }, []);

  useEffect(() => {
    // A token that expires while someone works must not throw their work
    // away: the page stays and a login dialog opens over it.
    api.setUnauthorizedHandler(() => setExpired(true));
    if (api.hasToken()) loadMe();
  }, [loadMe]);

  const logout = async () => {
    try {
      await api.logout();
    } catch (e) {
      if (e.status !== 401) notifyError(e);
    }
    setLoginNote('');
    setExpired(false);
    setUser(null);
  };

  let body;
  if (checking) body = <div className="center-page"><Spinner /></div>;
  else if (bootError) body = <div className="center-page"><ErrorBox error={bootError} onRetry={loadMe} /></div>;
  else if (!user) {
    body = <Login note={loginNote} onLoggedIn={async () => { setLoginNote(''); setExpired(false); setChecking(true); await loadMe(); }} />;
  } else {
    const full = route.parts[0] === 'flow';
    body = (
      <UserContext.Provider value={user}>
        <ReloadUserContext.Provider value={reloadUser}>
          <div className={`shell ${full ? 'shell-full' : ''}`}>
            <TopBar user={user} route={route} onLogout={logout} />
            <main className="main" id="main">
              <Page route={route} />
            </main>
          </div>
        </ReloadUserContext.Provider>
      </UserContext.Provider>
    );
  }
  return (
    <>
      {body}
      {user && expired && (
        <div className="modal-backdrop">
          <Login overlay note="Your session has ended. Log in again to go on; nothing on this page was lost."
            onLoggedIn={async () => { setExpired(false); await loadMe(); }} />
        </div>
      )}
      <Toasts />
      <ConfirmHost />
    </>
  );
}
