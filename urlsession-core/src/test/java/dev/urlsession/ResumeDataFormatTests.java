package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.net.URI;
import java.nio.file.Path;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The resume data blob's format: version 2 carries the partial file's key (checked before the file
 * is written again), and blobs of version 1, stored before, are still read, without one.
 */
class ResumeDataFormatTests {
  static final byte[] KEY = new byte[32];
  static final URI URL = URI.create("https://example.org/big.iso");

  @Test
  void createWhenFileKeyGivenKeepsItThroughTheBlob() {
    ResumeData data = ResumeData.create(Request.get(URL), Path.of("/downloads/p.tmp"), 10, "\"e\"", null, 100,
        "(dev=803,ino=1234)", KEY);

    ResumeData read = ResumeData.from(data.toByteArray());

    assertThat(read.partialFileKey()).isEqualTo("(dev=803,ino=1234)");
    assertThat(read.isSignedWith(KEY)).isTrue();
    assertThat(read.bytesReceived()).isEqualTo(10);
  }

  @Test
  void createWhenNoFileKeyReadsItAsNull() {
    ResumeData data = ResumeData.create(Request.get(URL), Path.of("/downloads/p.tmp"), 10, "\"e\"", null, 100, KEY);

    assertThat(ResumeData.from(data.toByteArray()).partialFileKey()).isNull();
  }

  @Test
  void fromWhenBlobIsOfVersionOneStillReadsItWithoutFileKey() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(buffer);
    out.writeInt(0x55525344);
    out.writeByte(1);
    out.writeUTF(URL.toString());
    out.writeShort(0);
    out.writeUTF("/downloads/p.tmp");
    out.writeLong(10);
    out.writeUTF("\"e\"");
    out.writeUTF("");
    out.writeLong(100);
    out.flush();
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
    out.write(mac.doFinal(buffer.toByteArray()));

    ResumeData read = ResumeData.from(buffer.toByteArray());

    assertThat(read.partialFileKey()).isNull();
    assertThat(read.isSignedWith(KEY)).isTrue();
    assertThat(read.url()).isEqualTo(URL);
    assertThat(read.bytesReceived()).isEqualTo(10);
  }
}
