// Hard limits of the wire protocol.
/** No datagram larger than this is ever sent, and larger ones received are dropped unread. */
export const MAX_DATAGRAM_BYTES = 8192;
/** 4: immutable keys are SHA-1 of the bencoded value (BEP 44), torrent peers (BEP 5); 3: write tokens, signed and immutable items, padded queries; 2: packed contacts. */
export const PROTOCOL_VERSION = 4;
/** Contacts in one NODES/VALUE response; also the largest k a node accepts. */
export const MAX_CONTACTS_PER_MESSAGE = 64;
export const MAX_HOST_LENGTH = 64;
export const MAX_REASON_LENGTH = 200;
/** Longest TTL a STORE may carry (ms): about 49 days, so it always encodes as uint32. */
export const MAX_TTL_MS = 0xffffffff;
/** Bytes of a write token (BEP 5): a hash of the asker's IP and a rotating secret. */
export const TOKEN_BYTES = 8;
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
/** BEP 44's limit on a mutable item's salt. */
export const MAX_SALT_BYTES = 64;
/**
 * An answer to an address that has not proven it receives there (no valid token in the
 * request) is at most this many times the request's size: a forged source can borrow a
 * node to multiply its traffic by no more (QUIC's anti-amplification rule, with 4 for 3).
 */
export const AMPLIFICATION_FACTOR = 4;
/**
 * FIND_NODE and FIND_VALUE are padded to this size, so that a full answer of 20 IPv4
 * contacts fits within AMPLIFICATION_FACTOR times the query (as QUIC pads its Initial packets).
 */
export const PADDED_QUERY_BYTES = 160;
/** Values larger than this go only to askers that echo a token (BEP 32 sends 1 KB without one). */
export const MAX_UNPROVEN_VALUE_BYTES = 1024;
/** Peers of one torrent in one PEERS answer (libtorrent sends at most 100; 50 IPv4 peers take 300 bytes). */
export const MAX_PEERS_PER_ANSWER = 50;
