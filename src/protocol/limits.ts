// Hard limits of the wire protocol.
/** No datagram larger than this is ever sent, and larger ones received are dropped unread. */
export const MAX_DATAGRAM_BYTES = 8192;
/** 2: contacts packed in one bin (contact-list.ts); 1 sent them as [id, host, port] arrays. */
export const PROTOCOL_VERSION = 2;
/** Contacts in one NODES/VALUE response; also the largest k a node accepts. */
export const MAX_CONTACTS_PER_MESSAGE = 64;
export const MAX_HOST_LENGTH = 64;
export const MAX_REASON_LENGTH = 200;
/** Longest TTL a STORE may carry (ms): about 49 days, so it always encodes as uint32. */
export const MAX_TTL_MS = 0xffffffff;
