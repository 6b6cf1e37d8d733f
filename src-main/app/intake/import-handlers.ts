import { AppFailure } from '../../contract/errors';
import type { Handler, ServiceContext } from '../handlers';
import type { Identity } from '../identity';
import type { ImportJobs } from './import-jobs';

const jobsOf = (ctx: ServiceContext): ImportJobs => {
  if (!ctx.imports) throw new AppFailure('UNAVAILABLE', 'This desk cannot import files from the screen; use `cli import <file.ndjson>`.');
  return ctx.imports;
};
/** Dispatch lets only signed-in supervisors here (contract/imports.ts). */
const userOf = (identity: Identity): string => (identity.kind === 'user' ? identity.userId : identity.kind);

/** A dispute file imported from the Feeds screen (contract/imports.ts, app/intake/import-jobs.ts). */
export const importHandlers: {
  'imports.begin': Handler<'imports.begin'>;
  'imports.append': Handler<'imports.append'>;
  'imports.start': Handler<'imports.start'>;
  'imports.cancel': Handler<'imports.cancel'>;
  'imports.status': Handler<'imports.status'>;
} = {
  'imports.begin': async (ctx, input, identity) => jobsOf(ctx).begin(input.fileName, input.sizeBytes, userOf(identity)),
  'imports.append': async (ctx, input) => jobsOf(ctx).append(input.importId, input.offset, Buffer.from(input.dataBase64, 'base64')),
  'imports.start': async (ctx, input) => jobsOf(ctx).start(input.importId),
  'imports.cancel': async (ctx, input) => jobsOf(ctx).cancel(input.importId),
  'imports.status': async (ctx) => ({ current: ctx.imports?.status() ?? null }),
};
