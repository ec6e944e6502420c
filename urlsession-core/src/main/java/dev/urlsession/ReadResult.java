package dev.urlsession;

/**
 * What {@link StreamTask#readData} read.
 *
 * @param data the bytes, possibly empty; the caller owns the array
 * @param atEof whether the peer ended the stream and nothing more is buffered
 * @since 0.1.0
 */
public record ReadResult(byte[] data, boolean atEof) {
  @Override
  public String toString() {
    return "ReadResult{" + data.length + " bytes" + (atEof ? ", at EOF" : "") + "}";
  }
}
