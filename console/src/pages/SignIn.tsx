import { useState } from 'preact/hooks';
import { call, Me } from '../api';
import { ErrorNote } from '../ui';

/** Sign in with an API token: the console then acts as that identity with its roles only. */
export function SignIn({ onSignedIn }: { onSignedIn: (token: string, me: Me) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>();
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      onSignedIn(token.trim(), await call<Me>(token.trim(), 'GET', '/api/v1/me'));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <main class="container narrow">
      <h1>Tourniquet</h1>
      <form onSubmit={submit} aria-label="Sign in">
        <label>
          API token
          <input
            name="token"
            type="password"
            autocomplete="current-password"
            required
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
        </label>
        <small>The same bearer token you use with the API; its roles decide what you can do here.</small>
        <ErrorNote error={error} />
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
