package io.basalt.compat.cluster;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever arrives on the cluster bus port, the node stays up and keeps its bus working: bad
 * signatures, lengths that lie (shorter than a header, longer than what follows, inconsistent
 * with the message type), gossip counts past the end, unknown types, random bytes. Packets a
 * redis-server would drop are dropped; links that send garbage are closed.
 */
class ClusterBusRobustnessTest {
    private static byte[] header(int totlen, int type, int count) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(totlen, 2256));
        b.put(new byte[] {'R', 'C', 'm', 'b'});
        b.putInt(totlen);
        b.putShort((short) 1);
        b.putShort((short) 7000);
        b.putShort((short) type);
        b.putShort((short) count);
        // the sender: a name no node has (so the packet is from an unknown node)
        b.position(40);
        b.put("0123456789abcdef0123456789abcdef01234567".getBytes());
        return b.array();
    }

    private static void send(int port, byte[]... packets) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            for (byte[] p : packets) out.write(p);
            out.flush();
            InputStream in = s.getInputStream();
            try {
                // a PING/MEET is answered with a PONG; garbage closes the link: either is fine
                in.read(new byte[8]);
            } catch (IOException timeoutOrReset) {
                // the node may keep the link open without answering
            }
        }
    }

    @Test
    void garbageOnTheBusNeverHurtsTheNode() throws Exception {
        int bus = RedisServerProcess.freePort();
        // a short node timeout: the stranger's MEET leaves a handshake node that times out after it
        BasaltInstance b = ClusterPair.startBasalt("--cluster-port", Integer.toString(bus), "--cluster-node-timeout", "1500");
        try (RawClient c = new RawClient(b.port())) {
            Random rnd = new Random(42);
            byte[] random = new byte[10_000];
            rnd.nextBytes(random);
            byte[] badSig = header(2256, 0, 0);
            badSig[0] = 'X';
            byte[] tooShort = header(2256, 0, 0);
            ByteBuffer.wrap(tooShort).putInt(4, 100);
            byte[] lyingCount = header(2256, 0, 500); // a PING claiming 500 gossip entries it lacks
            byte[] failTooShort = header(2256, 3, 0); // a FAIL without its node name
            byte[] unknownType = header(2300, 99, 0);
            byte[] meet = header(2256, 2, 0); // a well-formed MEET from a stranger: answered
            byte[] badExt = header(2256 + 16, 0, 0); // a hostname extension of length 12 (not 8-aligned)
            ByteBuffer e = ByteBuffer.wrap(badExt);
            e.putShort(2214, (short) 1);
            e.put(2253, (byte) 4);
            e.putInt(2256, 12);
            send(bus, random);
            send(bus, badSig);
            send(bus, tooShort);
            send(bus, lyingCount, failTooShort, unknownType, badExt);
            send(bus, meet);
            byte[] huge = header(2256, 0, 0);
            ByteBuffer.wrap(huge).putInt(4, Integer.MAX_VALUE); // over the longest message accepted
            send(bus, huge);
            // the node answers clients, and its bus still takes a real node
            assertEquals("+PONG\r\n", c.call("PING").rawString());
            RedisServerProcess r = ClusterPair.startRedis();
            try (RawClient rc = new RawClient(r.port())) {
                assertEquals("+OK\r\n", c.call("CLUSTER", "MEET", "127.0.0.1", Integer.toString(r.port()),
                        rc.call("CONFIG", "GET", "cluster-port").elements().get(1).string()).rawString());
                String rid = rc.call("CLUSTER", "MYID").string();
                long deadline = System.currentTimeMillis() + 15_000;
                while (System.currentTimeMillis() < deadline
                        && !(c.call("CLUSTER", "NODES").string().contains(rid) && !c.call("CLUSTER", "NODES").string().contains("handshake"))) {
                    Thread.sleep(50);
                }
                String nodes = c.call("CLUSTER", "NODES").string();
                assertTrue(nodes.contains(rid) && !nodes.contains("handshake"), nodes);
            } finally {
                r.stop();
            }
        } finally {
            b.stop();
        }
    }
}
