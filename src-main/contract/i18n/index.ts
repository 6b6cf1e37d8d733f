export * from './languages';
export * from './format';
export * from './party-letters';
export { CATALOGS, message } from './messages';
export type { MessageKey } from './messages';
