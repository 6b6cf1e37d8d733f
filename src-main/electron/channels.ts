/** The only two IPC channels between the page and main; shared by preload and the IPC carrier. */
export const INVOKE_CHANNEL = 'md:invoke';
export const CHANGE_CHANNEL = 'md:change';
