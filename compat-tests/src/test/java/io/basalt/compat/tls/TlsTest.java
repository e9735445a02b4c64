package io.basalt.compat.tls;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import javax.net.ssl.SSLSocket;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * TLS as redis-server 7.0 has it, checked side by side with a real redis-server started with the
 * same tls-* directives and certificates: redis-cli --tls with a client certificate,
 * tls-auth-clients yes / optional / no, the plain and TLS ports together, Jedis and Lettuce over
 * TLS, CONFIG SET of the tls-* directives (same replies, certificate reload for new connections,
 * the key forms OpenSSL writes), and replication over TLS both ways.
 */
class TlsTest {
    private static TestCerts certs;
    private static RedisServerProcess redis;
    private static BasaltInstance basalt;
    private static int redisTls;
    private static int basaltTls;

    /** The directives both servers start with, on {@code tlsPort}. */
    private static List<String> tlsArgs(int tlsPort, String... more) {
        List<String> a = new ArrayList<>(List.of("--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", certs.file("server.crt"), "--tls-key-file", certs.file("server.key"),
                "--tls-ca-cert-file", certs.file("ca.crt")));
        a.addAll(List.of(more));
        return a;
    }

    @BeforeAll
    static void start() throws Exception {
        certs = TestCerts.generate();
        redisTls = RedisServerProcess.freePort();
        redis = RedisServerProcess.start(tlsArgs(redisTls).toArray(new String[0]));
        basaltTls = RedisServerProcess.freePort();
        basalt = BasaltInstance.start(tlsArgs(basaltTls).toArray(new String[0]));
        awaitPort(redisTls);
    }

    @AfterAll
    static void stop() {
        if (redis != null) redis.stop();
        if (basalt != null) basalt.stop();
        if (certs != null) certs.delete();
    }

    private static void awaitPort(int port) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(20);
            }
        }
        fail("port " + port + " did not open");
    }

    /** redis-cli's output for a command against a TLS port. */
    private static String cli(int port, boolean withCert, String... cmd) throws Exception {
        List<String> argv = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port), "--tls",
                "--cacert", certs.file("ca.crt")));
        if (withCert) argv.addAll(List.of("--cert", certs.file("client.crt"), "--key", certs.file("client.key")));
        argv.addAll(List.of(cmd));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("redis-cli hung");
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }

    /** CONFIG SET on both servers (over their plain ports): the same reply, returned. */
    private static String configSet(String... pairs) {
        List<String> argv = new ArrayList<>(List.of("CONFIG", "SET"));
        argv.addAll(List.of(pairs));
        String[] a = argv.toArray(new String[0]);
        try (RawClient r = new RawClient(redis.port()); RawClient b = new RawClient(basalt.port())) {
            String rr = r.call(a).rawString().trim();
            String br = b.call(a).rawString().trim();
            assertEquals(rr, br, "CONFIG SET " + String.join(" ", pairs));
            return br;
        }
    }

    /** The common name of the certificate a new TLS connection to {@code port} is shown. */
    private static String peerName(int port) throws Exception {
        try (SSLSocket s = certs.connect(port, true)) {
            X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
            String dn = cert.getSubjectX500Principal().getName();
            try (RawClient c = new RawClient(s)) {
                assertEquals("PONG", c.call("PING").string());
            }
            return dn.replaceAll(".*CN=([^,]+).*", "$1");
        }
    }

    @Test
    void redisCliWithClientCertificate() throws Exception {
        for (int port : new int[]{redisTls, basaltTls}) {
            assertEquals("OK", cli(port, true, "SET", "tls:cli", "v1"), "port " + port);
            assertEquals("v1", cli(port, true, "GET", "tls:cli"));
            assertEquals("PONG", cli(port, true, "PING"));
        }
        // the same bytes through redis-cli from both
        assertEquals(cli(redisTls, true, "SET", "tls:cli2", "x", "GET"), cli(basaltTls, true, "SET", "tls:cli2", "x", "GET"));
        assertEquals(cli(redisTls, true, "CONFIG", "GET", "tls-auth-clients"), cli(basaltTls, true, "CONFIG", "GET", "tls-auth-clients"));
    }

    @Test
    void authClientsYesOptionalNo() throws Exception {
        try {
            // yes (the default): a client without a certificate is refused on both
            for (int port : new int[]{redisTls, basaltTls}) {
                assertNotEquals("PONG", cli(port, false, "PING"), "no certificate, port " + port);
                assertFalse(pingsWithoutCert(port), "no certificate, port " + port);
                assertEquals("PONG", cli(port, true, "PING"));
            }
            assertEquals("+OK", configSet("tls-auth-clients", "optional"));
            for (int port : new int[]{redisTls, basaltTls}) {
                assertEquals("PONG", cli(port, false, "PING"), "optional, port " + port);
                assertTrue(pingsWithoutCert(port));
                assertEquals("PONG", cli(port, true, "PING"));
            }
            assertEquals("+OK", configSet("tls-auth-clients", "no"));
            for (int port : new int[]{redisTls, basaltTls}) {
                assertEquals("PONG", cli(port, false, "PING"), "no, port " + port);
                assertEquals("PONG", cli(port, true, "PING"));
            }
            configSet("tls-auth-clients", "maybe");
        } finally {
            configSet("tls-auth-clients", "yes");
        }
    }

    /** Whether a JDK client without a certificate gets PONG (TLS 1.3 reports the refusal on the first read). */
    private static boolean pingsWithoutCert(int port) {
        try (SSLSocket s = certs.connect(port, false); RawClient c = new RawClient(s)) {
            return "PONG".equals(c.call("PING").string());
        } catch (Exception | AssertionError e) {
            return false;
        }
    }

    @Test
    void plainAndTlsPortsSideBySide() throws Exception {
        for (int[] ports : new int[][]{{redis.port(), redisTls}, {basalt.port(), basaltTls}}) {
            try (RawClient plain = new RawClient(ports[0]);
                 RawClient tls = new RawClient(certs.connect(ports[1], true))) {
                assertEquals("OK", plain.call("SET", "tls:side", "plain").string());
                assertEquals("plain", tls.call("GET", "tls:side").string());
                assertEquals("OK", tls.call("SET", "tls:side", "tls").string());
                assertEquals("tls", plain.call("GET", "tls:side").string());
                // CLIENT LIST shows the TLS connection at the TLS port
                String list = plain.call("CLIENT", "LIST").string();
                assertTrue(list.contains("laddr=127.0.0.1:" + ports[1]), list);
            }
            // plain RESP on the TLS port gets no reply: the handshake fails and the server closes
            try (Socket s = new Socket("127.0.0.1", ports[1])) {
                s.setSoTimeout(3000);
                OutputStream out = s.getOutputStream();
                out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[64];
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException | java.net.SocketException e) {
                    n = -1;
                }
                String got = n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
                assertFalse(got.startsWith("+PONG"), "plain PING on the TLS port " + ports[1]);
            }
        }
    }

    @Test
    void jedisAndLettuceOverTls() throws Exception {
        for (int port : new int[]{redisTls, basaltTls}) {
            DefaultJedisClientConfig cfg = DefaultJedisClientConfig.builder().ssl(true)
                    .sslSocketFactory(certs.context(true).getSocketFactory()).build();
            try (Jedis j = new Jedis(new HostAndPort("127.0.0.1", port), cfg)) {
                assertEquals("OK", j.set("tls:jedis", "j"));
                assertEquals("j", j.get("tls:jedis"));
                assertEquals(3L, j.rpush("tls:list", "a", "b", "c"));
                assertEquals(List.of("a", "b", "c"), j.lrange("tls:list", 0, -1));
                j.del("tls:list");
            }
            RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(port).withSsl(true).withVerifyPeer(true).build();
            RedisClient client = RedisClient.create(uri);
            try {
                client.setOptions(ClientOptions.builder().sslOptions(SslOptions.builder().jdkSslProvider()
                        .keystore(certs.path("client.p12").toFile(), TestCerts.PASS.toCharArray())
                        .trustManager(certs.path("ca.crt").toFile())
                        .build()).build());
                try (StatefulRedisConnection<String, String> c = client.connect()) {
                    assertEquals("OK", c.sync().set("tls:lettuce", "l"));
                    assertEquals("l", c.sync().get("tls:lettuce"));
                    assertEquals("j", c.sync().get("tls:jedis"));
                    assertEquals(2L, c.sync().hset("tls:h", Map.of("a", "1", "b", "2")));
                    c.sync().del("tls:h");
                }
            } finally {
                client.shutdown(0, 2, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void configSetReloadsTheCertificateForNewConnections() throws Exception {
        try {
            for (int port : new int[]{redisTls, basaltTls}) assertEquals("server", peerName(port));
            SSLSocket before = certs.connect(basaltTls, true);
            try (RawClient old = new RawClient(before)) {
                assertEquals("+OK", configSet("tls-cert-file", certs.file("server2.crt"), "tls-key-file", certs.file("server2.key")));
                for (int port : new int[]{redisTls, basaltTls}) assertEquals("server2", peerName(port), "port " + port);
                // a connection made before keeps working
                assertEquals("PONG", old.call("PING").string());
            }
            // a failed reload leaves the certificate in force and the directive as it was
            String err = configSet("tls-cert-file", certs.file("nosuch.crt"));
            assertTrue(err.startsWith("-ERR CONFIG SET failed"), err);
            // a key that is not the certificate's
            assertTrue(configSet("tls-cert-file", certs.file("server.crt")).startsWith("-ERR"));
            try (RawClient r = new RawClient(redis.port()); RawClient b = new RawClient(basalt.port())) {
                assertEquals(r.call("CONFIG", "GET", "tls-cert-file").toString(), b.call("CONFIG", "GET", "tls-cert-file").toString());
            }
            for (int port : new int[]{redisTls, basaltTls}) assertEquals("server2", peerName(port));
        } finally {
            configSet("tls-cert-file", certs.file("server.crt"), "tls-key-file", certs.file("server.key"));
        }
    }

    @Test
    void keyFormatsAsOpenSslWritesThem() throws Exception {
        try {
            // PKCS#1, encrypted PKCS#8 (PBES2), traditionally encrypted PKCS#1, SEC1 EC
            String[][] ok = {
                {"server.crt", "server-pkcs1.key", ""},
                {"server.crt", "server-enc.key", TestCerts.PASS},
                {"server.crt", "server-pkcs1-enc.key", TestCerts.PASS},
                {"ec.crt", "ec.key", ""},
            };
            for (String[] k : ok) {
                assertEquals("+OK", configSet("tls-key-file-pass", k[2], "tls-cert-file", certs.file(k[0]),
                        "tls-key-file", certs.file(k[1])), k[1]);
                String cn = k[0].equals("ec.crt") ? "ec" : "server";
                for (int port : new int[]{redisTls, basaltTls}) assertEquals(cn, peerName(port), k[1] + " port " + port);
            }
            // an encrypted key with a wrong password, or none, is refused by both
            configSet("tls-cert-file", certs.file("server.crt"), "tls-key-file", certs.file("server.key"), "tls-key-file-pass", "");
            assertTrue(configSet("tls-key-file-pass", "wrong", "tls-key-file", certs.file("server-enc.key")).startsWith("-ERR"));
            assertTrue(configSet("tls-key-file", certs.file("server-pkcs1-enc.key")).startsWith("-ERR"));
            assertTrue(configSet("tls-key-file-pass", "", "tls-key-file", certs.file("server-enc.key")).startsWith("-ERR"));
        } finally {
            configSet("tls-key-file-pass", "", "tls-cert-file", certs.file("server.crt"), "tls-key-file", certs.file("server.key"));
        }
        for (int port : new int[]{redisTls, basaltTls}) assertEquals("server", peerName(port));
    }

    @Test
    void configSetRepliesMatchRedis() throws Exception {
        try {
            configSet("tls-protocols", "TLSv1.4");
            configSet("tls-protocols", "TLSv1.2  TLSv1.3");
            configSet("tls-ciphers", "NOSUCHCIPHER");
            configSet("tls-ciphersuites", "TLS_NOSUCH");
            configSet("tls-auth-clients", "sometimes");
            configSet("tls-port", "70000");
            configSet("tls-session-cache-size", "-1");
            configSet("tls-session-caching", "maybe");
            configSet("tls-dh-params-file", certs.file("nosuch.pem"));
            configSet("tls-ca-cert-file", certs.file("nosuch.crt"));
            assertEquals("+OK", configSet("tls-protocols", "tlsv1.2"));
            assertEquals("TLSv1.2", protocol(redisTls));
            assertEquals("TLSv1.2", protocol(basaltTls));
            assertEquals("+OK", configSet("tls-protocols", "TLSv1.3 TLSv1.2"));
            assertEquals("TLSv1.3", protocol(basaltTls));
            assertEquals("+OK", configSet("tls-ciphers", "DEFAULT:!MEDIUM", "tls-ciphersuites", "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"));
            assertEquals("+OK", configSet("tls-ciphers", "ECDHE-RSA-AES128-GCM-SHA256"));
            assertEquals("+OK", configSet("tls-prefer-server-ciphers", "yes", "tls-session-caching", "no",
                    "tls-session-cache-size", "100", "tls-session-cache-timeout", "60"));
            assertEquals("+OK", configSet("tls-ca-cert-dir", certs.dir.toString()));
            for (int port : new int[]{redisTls, basaltTls}) assertEquals("server", peerName(port));
            try (RawClient r = new RawClient(redis.port()); RawClient b = new RawClient(basalt.port())) {
                assertEquals(tlsConfig(r), tlsConfig(b));
            }
        } finally {
            configSet("tls-protocols", "", "tls-ciphers", "", "tls-ciphersuites", "", "tls-prefer-server-ciphers", "no",
                    "tls-session-caching", "yes", "tls-session-cache-size", "20480", "tls-session-cache-timeout", "300",
                    "tls-ca-cert-dir", "");
        }
    }

    private static String protocol(int port) throws Exception {
        try (SSLSocket s = certs.connect(port, true)) {
            return s.getSession().getProtocol();
        }
    }

    /** CONFIG GET tls-* without tls-port (the servers' ports differ). */
    private static TreeMap<String, String> tlsConfig(RawClient c) {
        TreeMap<String, String> m = new TreeMap<>();
        List<RespValue> e = c.call("CONFIG", "GET", "tls-*").elements();
        for (int i = 0; i + 1 < e.size(); i += 2) m.put(e.get(i).string(), e.get(i + 1).string());
        m.remove("tls-port");
        return m;
    }

    /** CONFIG SET tls-port: the same port is a no-op (OK), another moves the listener, 0 closes it. */
    @Test
    void configSetTlsPort() throws Exception {
        try (RawClient r = new RawClient(redis.port()); RawClient b = new RawClient(basalt.port())) {
            assertEquals("OK", r.call("CONFIG", "SET", "tls-port", Integer.toString(redisTls)).string());
            assertEquals("OK", b.call("CONFIG", "SET", "tls-port", Integer.toString(basaltTls)).string());
            assertEquals("server", peerName(basaltTls));
            int moved = RedisServerProcess.freePort();
            try {
                assertEquals("OK", b.call("CONFIG", "SET", "tls-port", Integer.toString(moved)).string());
                assertEquals("server", peerName(moved));
                assertThrows(java.io.IOException.class, () -> new Socket("127.0.0.1", basaltTls).close());
                assertEquals("OK", b.call("CONFIG", "SET", "tls-port", "0").string());
                assertThrows(java.io.IOException.class, () -> new Socket("127.0.0.1", moved).close());
                // a port taken by another listener: Redis's error, the setting unchanged
                assertEquals(r.call("CONFIG", "SET", "tls-port", Integer.toString(redis.port())).string(),
                        b.call("CONFIG", "SET", "tls-port", Integer.toString(redis.port())).string());
                assertEquals("0", b.call("CONFIG", "GET", "tls-port").elements().get(1).string());
            } finally {
                b.call("CONFIG", "SET", "tls-port", Integer.toString(basaltTls));
            }
            assertEquals("server", peerName(basaltTls));
        }
    }

    /** The JDK's engine (basalt-tls-provider jdk) serves the same: handshake, mutual TLS, reload. */
    @Test
    void jdkEngineToo() throws Exception {
        try (RawClient b = new RawClient(basalt.port())) {
            try {
                assertEquals("OK", b.call("CONFIG", "SET", "basalt-tls-provider", "jdk").string());
                assertEquals("server", peerName(basaltTls));
                assertFalse(pingsWithoutCert(basaltTls));
                assertEquals("PONG", cli(basaltTls, true, "PING"));
                assertEquals("OK", b.call("CONFIG", "SET", "tls-cert-file", certs.file("ec.crt"),
                        "tls-key-file", certs.file("ec.key")).string());
                assertEquals("ec", peerName(basaltTls));
                assertEquals("OK", b.call("CONFIG", "SET", "tls-key-file-pass", TestCerts.PASS,
                        "tls-cert-file", certs.file("server.crt"), "tls-key-file", certs.file("server-pkcs1-enc.key")).string());
                assertEquals("server", peerName(basaltTls));
                assertEquals("OK", b.call("CONFIG", "SET", "tls-auth-clients", "optional").string());
                assertTrue(pingsWithoutCert(basaltTls));
            } finally {
                b.call("CONFIG", "SET", "basalt-tls-provider", "auto", "tls-auth-clients", "yes", "tls-key-file-pass", "",
                        "tls-cert-file", certs.file("server.crt"), "tls-key-file", certs.file("server.key"));
            }
        }
    }

    // ---------------------------------------------------------------- replication over TLS

    @Test
    void redisReplicaOfBasaltOverTls() throws Exception {
        int masterTls = RedisServerProcess.freePort();
        BasaltInstance master = BasaltInstance.start(tlsArgs(masterTls, "--repl-diskless-sync-delay", "0").toArray(new String[0]));
        RedisServerProcess replica = null;
        try (RawClient m = new RawClient(master.port())) {
            for (int i = 0; i < 300; i++) m.call("SET", "k" + i, "v" + i);
            replica = RedisServerProcess.start(tlsArgs(RedisServerProcess.freePort(), "--tls-replication", "yes",
                    "--replicaof", "127.0.0.1", Integer.toString(masterTls)).toArray(new String[0]));
            try (RawClient r = new RawClient(replica.port())) {
                awaitInSync(m, r);
                for (int i = 300; i < 400; i++) m.call("RPUSH", "list", "e" + i);
                awaitInSync(m, r);
                assertEquals(m.call("DBSIZE").toString(), r.call("DBSIZE").toString());
                assertEquals("v299", r.call("GET", "k299").string());
                assertEquals(m.call("LRANGE", "list", "0", "-1").toString(), r.call("LRANGE", "list", "0", "-1").toString());
                // the replica's link came in at the master's TLS port
                String replicas = m.call("CLIENT", "LIST", "TYPE", "replica").string();
                assertTrue(replicas.contains("laddr=127.0.0.1:" + masterTls), replicas);
            }
        } finally {
            if (replica != null) replica.stop();
            master.stop();
        }
    }

    @Test
    void basaltReplicaOfRedisOverTls() throws Exception {
        int masterTls = RedisServerProcess.freePort();
        RedisServerProcess master = RedisServerProcess.start(tlsArgs(masterTls, "--repl-diskless-sync-delay", "0").toArray(new String[0]));
        BasaltInstance replica = null;
        try (RawClient m = new RawClient(master.port())) {
            for (int i = 0; i < 300; i++) m.call("SET", "k" + i, "v" + i);
            int replicaTls = RedisServerProcess.freePort();
            replica = BasaltInstance.start(tlsArgs(replicaTls, "--tls-replication", "yes",
                    "--replicaof", "127.0.0.1", Integer.toString(masterTls)).toArray(new String[0]));
            try (RawClient r = new RawClient(replica.port())) {
                awaitInSync(m, r);
                for (int i = 0; i < 100; i++) m.call("HSET", "h", "f" + i, "x" + i);
                awaitInSync(m, r);
                assertEquals(m.call("DBSIZE").toString(), r.call("DBSIZE").toString());
                assertEquals("v0", r.call("GET", "k0").string());
                assertEquals(m.call("HLEN", "h").toString(), r.call("HLEN", "h").toString());
                String replicas = m.call("CLIENT", "LIST", "TYPE", "replica").string();
                assertTrue(replicas.contains("laddr=127.0.0.1:" + masterTls), replicas);
                // with tls-replication the replica announces its TLS port (REPLCONF listening-port)
                assertTrue(m.call("INFO", "replication").string().contains("port=" + replicaTls + ","),
                        m.call("INFO", "replication").string());
            }
        } finally {
            if (replica != null) replica.stop();
            master.stop();
        }
    }

    private static void awaitInSync(RawClient m, RawClient r) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String last = "";
        while (System.nanoTime() < deadline) {
            String mi = m.call("INFO", "replication").string();
            String ri = r.call("INFO", "replication").string();
            last = ri;
            if (ri.contains("master_link_status:up") && field(ri, "slave_repl_offset") == field(mi, "master_repl_offset")) return;
            Thread.sleep(20);
        }
        fail("replica not in sync: " + last);
    }

    private static long field(String info, String name) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(name + ":")) return Long.parseLong(line.substring(name.length() + 1));
        }
        return -1;
    }
}
