package dev.urlsession;

import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A real gzip decompression bomb, made streaming: {@code size} zeros deflated as identical
 * self-contained blocks of 1 MiB (each ends with a full flush, so the block's bytes repeat), then
 * an empty final block and the gzip trailer (CRC-32 and length of the zeros). A 10 GiB bomb takes
 * about 10 MiB and a second to make; the zeros are never held.
 */
final class GzipBomb {
  private GzipBomb() {}

  static byte[] of(long size) {
    int block = 1 << 20;
    if (size % block != 0) {
      throw new IllegalArgumentException("size must be a multiple of 1 MiB");
    }
    byte[] zeros = new byte[block];
    byte[] compressed = deflateBlock(zeros);
    long blocks = size / block;
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) (blocks * compressed.length + 64));
    out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, 3});
    CRC32 crc = new CRC32();
    for (long i = 0; i < blocks; i++) {
      out.writeBytes(compressed);
      crc.update(zeros);
    }
    out.writeBytes(new byte[] {3, 0}); // an empty final block with fixed codes
    writeIntLe(out, crc.getValue());
    writeIntLe(out, size & 0xffffffffL);
    return out.toByteArray();
  }

  private static byte[] deflateBlock(byte[] zeros) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    deflater.setInput(zeros);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    int n;
    do {
      n = deflater.deflate(buffer, 0, buffer.length, Deflater.FULL_FLUSH);
      out.write(buffer, 0, n);
    } while (n == buffer.length || !deflater.needsInput());
    deflater.end();
    return out.toByteArray();
  }

  private static void writeIntLe(ByteArrayOutputStream out, long v) {
    for (int i = 0; i < 4; i++) {
      out.write((int) (v >>> (8 * i) & 0xff));
    }
  }
}
