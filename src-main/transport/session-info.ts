/** A demo sign-in (demo-only, deliberately public password); the shape of demo/demo-data's DEMO_USERS. */
export interface DemoAccount {
  id: string;
  name: string;
  role: string;
  password: string;
}

/** What the sign-in screen may know before anyone signs in; the same over IPC and HTTP. */
export const sessionInfo = (demo: boolean | undefined, accounts: readonly DemoAccount[] | undefined) => ({
  demo: demo === true,
  accounts: demo === true ? (accounts ?? []).map(({ id, name, role, password }) => ({ userId: id, name, role, password })) : [],
});
