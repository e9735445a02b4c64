package io.basalt.compat.tls;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Certificates made with the openssl CLI for one test class, as Redis's utils/gen-test-certs.sh
 * makes its own: a CA, server certificates (with 127.0.0.1 and localhost as subject alternative
 * names, so clients that check the name accept them), a client certificate, and the key forms
 * OpenSSL writes: PKCS#8 (OpenSSL 3's default), PKCS#1 "RSA PRIVATE KEY", encrypted PKCS#8,
 * traditionally encrypted PKCS#1 and a SEC1 "EC PRIVATE KEY".
 */
final class TestCerts {
    static final String PASS = "s3cret";

    final Path dir;

    private TestCerts(Path dir) {
        this.dir = dir;
    }

    Path path(String name) { return dir.resolve(name); }

    String file(String name) { return dir.resolve(name).toString(); }

    static TestCerts generate() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("basalt-tls");
        TestCerts c = new TestCerts(dir);
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        c.openssl("genrsa", "-out", "ca.key", "2048");
        c.openssl("req", "-x509", "-new", "-nodes", "-sha256", "-key", "ca.key", "-days", "3650",
                "-subj", "/O=Basalt Test/CN=Certificate Authority", "-out", "ca.crt");
        c.signed("server", "rsa", "san.ext");
        c.signed("server2", "rsa", "san.ext");
        c.signed("client", "rsa", "client.ext");
        c.signed("ec", "ec", "san.ext");
        // the other forms of server.key
        c.openssl("rsa", "-in", "server.key", "-traditional", "-out", "server-pkcs1.key");
        c.openssl("pkcs8", "-topk8", "-in", "server.key", "-v2", "aes-256-cbc", "-passout", "pass:" + PASS,
                "-out", "server-enc.key");
        c.openssl("rsa", "-in", "server.key", "-traditional", "-aes256", "-passout", "pass:" + PASS,
                "-out", "server-pkcs1-enc.key");
        // a key store for the Java clients that take one (Lettuce's keystore, Jedis's key manager)
        c.openssl("pkcs12", "-export", "-in", "client.crt", "-inkey", "client.key", "-passout", "pass:" + PASS,
                "-out", "client.p12");
        return c;
    }

    /** A key ("rsa" or "ec") and its certificate named CN=name, signed by the CA. */
    private void signed(String name, String type, String ext) throws IOException, InterruptedException {
        if (type.equals("ec")) {
            openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", name + ".key");
        } else {
            openssl("genrsa", "-out", name + ".key", "2048");
        }
        openssl("req", "-new", "-sha256", "-subj", "/O=Basalt Test/CN=" + name, "-key", name + ".key", "-out", name + ".csr");
        openssl("x509", "-req", "-sha256", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "3650", "-extfile", ext, "-out", name + ".crt");
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException("openssl " + String.join(" ", args) + ": " + out);
    }

    /** A JDK TLS context trusting the CA, presenting the client certificate when {@code withCert}. */
    SSLContext context(boolean withCert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(path("ca.crt"))) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (withCert) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(path("client.p12"))) {
                ks.load(in, PASS.toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASS.toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** A TLS socket to 127.0.0.1:port, handshaken. */
    SSLSocket connect(int port, boolean withCert) throws Exception {
        SSLSocket s = (SSLSocket) context(withCert).getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    void delete() {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temporary directory harms nothing
        }
    }
}
