// The signed-in user: the bearer token from POST /api/auth/token, kept in sessionStorage (this tab only, gone with it).

const storageKey = 'actors.session';

export const session = {
  current: read(),

  get token() { return this.current?.accessToken ?? null; },
  get username() { return this.current?.username ?? ''; },
  get roles() { return this.current?.roles ?? []; },
  get isAdmin() { return this.roles.includes('Admin'); },

  signIn(token) {
    this.current = token;
    sessionStorage.setItem(storageKey, JSON.stringify(token));
  },

  signOut() {
    this.current = null;
    sessionStorage.removeItem(storageKey);
  },
};

function read() {
  try {
    const token = JSON.parse(sessionStorage.getItem(storageKey) ?? 'null');
    return token && new Date(token.expiresAt) > new Date() ? token : null;
  } catch {
    return null;
  }
}
