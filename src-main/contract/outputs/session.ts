import { z } from 'zod';
import { Role } from '../domain';

/** The signed-in user, as `session.me` answers it. */
export const Me = z.object({
  userId: z.string(),
  name: z.string(),
  role: Role,
  /** The core's clock when it answered (session.me): countdowns follow the clock that decides deadlines. */
  serverTime: z.string().optional(),
});
export type Me = z.output<typeof Me>;

/** What the session methods answer. */
export interface SessionOutputs {
  /** Null when nobody is signed in. */
  'session.me': Me | null;
}
