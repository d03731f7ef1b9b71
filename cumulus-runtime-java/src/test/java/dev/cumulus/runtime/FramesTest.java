package dev.cumulus.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The frame codec of ADR 0042, on streams that deliver and accept one byte at a time. */
class FramesTest {

    /** A channel that takes at most one byte per write: every write is partial. */
    /** A channel that takes one byte per write, also when it is given several buffers. */
    private static final class Trickle implements GatheringByteChannel {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        @Override
        public long write(ByteBuffer[] sources, int offset, int length) {
            for (int i = offset; i < offset + length; i++) {
                if (sources[i].hasRemaining()) {
                    return write(sources[i]);
                }
            }
            return 0;
        }

        @Override
        public long write(ByteBuffer[] sources) {
            return write(sources, 0, sources.length);
        }

        @Override
        public int write(ByteBuffer src) {
            if (!src.hasRemaining()) {
                return 0;
            }
            written.write(src.get());
            return 1;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    /** A stream that returns one byte per read. */
    private static InputStream oneByteAtATime(byte[] bytes) {
        return new InputStream() {
            int at;

            @Override
            public int read() {
                return at < bytes.length ? bytes[at++] & 0xFF : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) {
                    return 0;
                }
                int c = read();
                if (c < 0) {
                    return -1;
                }
                b[off] = (byte) c;
                return 1;
            }
        };
    }

    private static byte[] frame(int type, byte[] head, byte[] payload) throws Exception {
        Trickle out = new Trickle();
        Frames.write(out, type, head, payload);
        return out.written.toByteArray();
    }

    @Test
    void anEventSurvivesPartialWritesAndReads() throws Exception {
        byte[] payload = "{\"name\":\"Ada\"}".getBytes(StandardCharsets.UTF_8);
        byte[] head = new Frames.Head().putLong(1234L).putString("req-1").putString(null).putString("é").toBytes();
        byte[] wire = frame(Frames.EVENT, head, payload);
        byte[] two = new byte[wire.length * 2];
        System.arraycopy(wire, 0, two, 0, wire.length);
        System.arraycopy(wire, 0, two, wire.length, wire.length);

        InputStream in = oneByteAtATime(two);
        for (int i = 0; i < 2; i++) {
            Frames.Frame read = Frames.read(in, 1024);
            assertThat(read.type()).isEqualTo(Frames.EVENT);
            Frames.Cursor body = read.cursor();
            assertThat(body.getLong()).isEqualTo(1234L);
            assertThat(body.getString()).isEqualTo("req-1");
            assertThat(body.getString()).isNull();
            assertThat(body.getString()).isEqualTo("é");
            assertThat(body.rest()).isEqualTo(payload);
        }
        assertThat(Frames.read(in, 1024)).as("a clean end between frames").isNull();
    }

    @Test
    void aPeerThatDiesMidFrameIsAnEndOfStreamNotAFrame() throws Exception {
        byte[] wire = frame(Frames.RESULT, new Frames.Head().putString("req-1").toBytes(), new byte[100]);
        for (int cut : new int[] {1, 3, 4, 5, wire.length - 1}) {
            InputStream in = oneByteAtATime(Arrays.copyOf(wire, cut));
            assertThatThrownBy(() -> Frames.read(in, 1024)).as("cut after %d bytes", cut)
                    .isInstanceOf(EOFException.class);
        }
    }

    @Test
    void anOversizedLengthIsRefusedBeforeAnythingIsAllocated() {
        // 0xFFFFFFF0 bytes announced: refused on the prefix alone
        byte[] wire = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xF0, Frames.RESULT};
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(wire), 6 * 1024 * 1024))
                .isInstanceOf(Frames.ProtocolException.class).hasMessageContaining("outside 1..");
    }

    @Test
    void aFrameOneByteOverTheLimitIsRefusedAndOneAtItIsRead() throws Exception {
        byte[] atLimit = frame(Frames.RESULT, new byte[0], new byte[99]); // length 100
        assertThat(Frames.read(new ByteArrayInputStream(atLimit), 100).body()).hasSize(99);
        byte[] over = frame(Frames.RESULT, new byte[0], new byte[100]);
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(over), 100))
                .isInstanceOf(Frames.ProtocolException.class);
    }

    @Test
    void anEmptyFrameIsRefused() {
        byte[] wire = {0, 0, 0, 0};
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(wire), 100))
                .isInstanceOf(Frames.ProtocolException.class);
    }

    @Test
    void garbageStringLengthsInsideAFrameAreRefused() throws Exception {
        // a string claiming more bytes than its frame holds, and a negative length other than -1
        byte[] tooLong = frame(Frames.RESULT, new Frames.Head().putInt(50).toBytes(), new byte[10]);
        Frames.Cursor cursor = Frames.read(new ByteArrayInputStream(tooLong), 100).cursor();
        assertThatThrownBy(cursor::getString).isInstanceOf(Frames.ProtocolException.class);
        byte[] negative = frame(Frames.RESULT, new Frames.Head().putInt(-7).toBytes(), new byte[0]);
        Frames.Cursor second = Frames.read(new ByteArrayInputStream(negative), 100).cursor();
        assertThatThrownBy(second::getString).isInstanceOf(Frames.ProtocolException.class);
        Frames.Cursor empty = new Frames.Cursor(new byte[3]);
        assertThatThrownBy(empty::getLong).isInstanceOf(Frames.ProtocolException.class);
    }

    @Test
    void framesThatArriveInOneReadOfTheChannelComeOutOneByOne() throws Exception {
        byte[] first = frame(Frames.RESULT, new Frames.Head().putString("req-1").toBytes(), "{}".getBytes(StandardCharsets.UTF_8));
        byte[] second = frame(Frames.CREDIT, new Frames.Head().putInt(1).toBytes(), new byte[0]);
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        InputStream in = Frames.inputStream(java.nio.channels.Channels.newChannel(new java.io.ByteArrayInputStream(both)));

        Frames.Frame result = Frames.read(in, 1024);
        assertThat(result.type()).isEqualTo(Frames.RESULT);
        assertThat(result.cursor().getString()).isEqualTo("req-1");
        Frames.Frame credit = Frames.read(in, 1024);
        assertThat(credit.type()).isEqualTo(Frames.CREDIT);
        assertThat(credit.cursor().getInt()).isEqualTo(1);
        assertThat(Frames.read(in, 1024)).as("the stream ends between frames").isNull();
    }

    @Test
    void anAnswerAndItsCreditWrittenTogetherAreTheTwoFramesWrittenApart() throws Exception {
        byte[] head = new Frames.Head().putString("req-1").toBytes();
        byte[] payload = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
        byte[] credit = new Frames.Head().putInt(1).toBytes();
        Trickle together = new Trickle();
        Frames.write(together, Frames.RESULT, head, payload, Frames.CREDIT, credit);

        byte[] first = frame(Frames.RESULT, head, payload);
        byte[] second = frame(Frames.CREDIT, credit, new byte[0]);
        byte[] apart = new byte[first.length + second.length];
        System.arraycopy(first, 0, apart, 0, first.length);
        System.arraycopy(second, 0, apart, first.length, second.length);
        assertThat(together.written.toByteArray()).isEqualTo(apart);
    }
}
