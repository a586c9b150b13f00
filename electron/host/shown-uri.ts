/**
 * A tracking URI as people may see it: `postgresql://user:secret@host/db` carries a password, which
 * must not reach a window's status bar, a log line or an error message.
 */

/** `uri` with the password of its `user:password@` part replaced by `***`; other URIs unchanged. */
export function redactPassword(uri: string): string {
  return uri.replace(/^([a-z][\w+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/i, "$1:***@");
}

/** `text` (an error message, say) with every copy of `uri` in it redacted. */
export function redactUriIn(text: string, uri: string): string {
  return text.split(uri).join(redactPassword(uri));
}
