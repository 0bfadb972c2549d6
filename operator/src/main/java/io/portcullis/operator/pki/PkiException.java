package io.portcullis.operator.pki;

/**
 * The control channel's certificates cannot be set up (the CA Secret cannot be read or created,
 * or holds something that is not a CA). The message is one line naming the Secret and the
 * problem: the operator prints it and refuses to start rather than fall back to plaintext.
 */
public final class PkiException extends RuntimeException {
  public PkiException(String message, Throwable cause) {
    super(message, cause);
  }

  public PkiException(String message) {
    super(message);
  }
}
