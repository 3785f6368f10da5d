/** Tourniquet's console: the same API, tokens and roles as curl, in a browser. */
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { LocationProvider, Route, Router } from 'preact-iso';
import '@picocss/pico/css/pico.min.css';
import './styles.css';
import { call, Me, savedToken, saveToken } from './api';
import { SignIn } from './pages/SignIn';
import { IncidentList } from './pages/IncidentList';
import { CreateIncident } from './pages/CreateIncident';
import { IncidentDetail } from './pages/IncidentDetail';
import { Runbooks } from './pages/Runbooks';
import { OnCall } from './pages/OnCall';
import { StatusBoard } from './pages/StatusBoard';
import { Insights } from './pages/Insights';
import { Services } from './pages/Services';
import { usePoll } from './ui';

function App() {
  const [token, setToken] = useState<string | null>(savedToken());
  const { value: me, error } = usePoll(
    () => (token ? call<Me>(token, 'GET', '/api/v1/me') : Promise.resolve(null)),
    [token],
    60_000,
  );
  const signOut = () => (saveToken(null), setToken(null));
  if (!token || (error && (error as { status?: number }).status === 401)) {
    return <SignIn onSignedIn={(t) => (saveToken(t), setToken(t))} />;
  }
  if (!me) return <p aria-busy="true">Loading…</p>;
  return (
    <LocationProvider>
      <nav class="container topnav" aria-label="Main">
        <ul>
          <li>
            <a href="/" class="brand">
              <strong>Tourniquet</strong>
            </a>
          </li>
        </ul>
        <ul>
          <li>
            <a href="/">Incidents</a>
          </li>
          <li>
            <a href="/runbooks">Runbooks</a>
          </li>
          <li>
            <a href="/board">Status</a>
          </li>
          <li>
            <a href="/insights">Insights</a>
          </li>
          <li>
            <a href="/oncall">On call</a>
          </li>
          <li>
            <a href="/services">Services</a>
          </li>
          <li>
            <span class="who" title={me.roles.join(', ')}>
              {me.identity} ({me.roles.filter((r) => r !== 'viewer').join(', ') || 'viewer'})
            </span>
          </li>
          <li>
            <button class="secondary small" onClick={signOut}>
              Sign out
            </button>
          </li>
        </ul>
      </nav>
      <Router>
        <Route path="/" component={() => <IncidentList token={token} />} />
        <Route path="/incidents/new" component={() => <CreateIncident token={token} />} />
        <Route
          path="/incidents/:id"
          component={({ id }: { id: string }) => <IncidentDetail token={token} me={me} id={id} />}
        />
        <Route path="/runbooks" component={() => <Runbooks token={token} />} />
        <Route path="/board" component={() => <StatusBoard token={token} />} />
        <Route path="/insights" component={() => <Insights token={token} />} />
        <Route path="/oncall" component={() => <OnCall token={token} />} />
        <Route path="/services" component={() => <Services token={token} />} />
        <Route
          default
          component={() => (
            <main class="container">
              Not found. <a href="/">Incidents</a>
            </main>
          )}
        />
      </Router>
    </LocationProvider>
  );
}

render(<App />, document.getElementById('app')!);
