// Where the answer to a request goes: a callback, or a handler and a tag. A lookup asks
// hundreds of peers; as a handler it takes every answer without a closure per request.
import type { ResponseBody } from '../protocol/messages.js';

/** Called once per request: the response, or null after the timeout. */
export type ResponseCallback = (response: ResponseBody | null) => void;

/** Called once per request as handler.answered(tag, response); the tag names the request to its handler. */
export interface ResponseHandler {
  answered(tag: number, response: ResponseBody | null): void;
}
