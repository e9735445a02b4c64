package io.basalt.server.util;

import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tls-protocols and tls-ciphers / tls-ciphersuites as Redis (OpenSSL) reads them. */
class TlsContextsTest {

    @Test
    void protocolsAsParseProtocolsConfig() throws Exception {
        assertArrayEquals(new String[]{"TLSv1.2", "TLSv1.3"}, TlsContexts.protocols(""));
        assertArrayEquals(new String[]{"TLSv1.3", "TLSv1.2"}, TlsContexts.protocols("tlsv1.3 TLSV1.2"));
        assertArrayEquals(new String[]{"TLSv1", "TLSv1.1"}, TlsContexts.protocols("TLSv1 TLSv1.1"));
        // sdssplitlen on single spaces: two spaces make an empty word, which is no protocol
        assertThrows(TlsContexts.TlsException.class, () -> TlsContexts.protocols("TLSv1.2  TLSv1.3"));
        assertThrows(TlsContexts.TlsException.class, () -> TlsContexts.protocols("TLSv1.4"));
        assertThrows(TlsContexts.TlsException.class, () -> TlsContexts.protocols("SSLv3"));
    }

    @Test
    void cipherListsAsOpenSslReadsThem() throws Exception {
        assertNull(TlsContexts.ciphers("", "", SslProvider.JDK));
        List<String> one = TlsContexts.ciphers("ECDHE-RSA-AES128-GCM-SHA256", "", SslProvider.JDK);
        assertTrue(one.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), one.toString());
        assertTrue(one.contains("TLS_AES_128_GCM_SHA256"), "TLS 1.3 keeps its defaults: " + one);
        assertEquals(1, one.stream().filter(c -> !c.startsWith("TLS_AES_") && !c.startsWith("TLS_CHACHA20_")).count());
        // unknown names are skipped; nothing selected fails, as SSL_CTX_set_cipher_list
        assertThrows(TlsContexts.TlsException.class, () -> TlsContexts.ciphers("NOSUCHCIPHER", "", SslProvider.JDK));
        List<String> withUnknown = TlsContexts.ciphers("NOSUCH:ECDHE-RSA-AES256-GCM-SHA384", "", SslProvider.JDK);
        assertTrue(withUnknown.contains("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"));
        // keywords stand for the defaults; '!' removes a named suite
        List<String> all = TlsContexts.ciphers("DEFAULT:!MEDIUM", "", SslProvider.JDK);
        assertTrue(all.size() > one.size());
        List<String> minus = TlsContexts.ciphers("HIGH:!ECDHE-RSA-AES128-GCM-SHA256", "", SslProvider.JDK);
        assertFalse(minus.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), minus.toString());
        // TLS 1.3 suites
        List<String> suites = TlsContexts.ciphers("", "TLS_AES_256_GCM_SHA384", SslProvider.JDK);
        assertTrue(suites.contains("TLS_AES_256_GCM_SHA384"));
        assertFalse(suites.contains("TLS_AES_128_GCM_SHA256"), suites.toString());
        assertThrows(TlsContexts.TlsException.class, () -> TlsContexts.ciphers("", "TLS_NOSUCH", SslProvider.JDK));
    }

    @Test
    void missingFilesAreRedisErrors() {
        TlsContexts t = new TlsContexts();
        TlsContexts.Settings none = new TlsContexts.Settings("", "", "", "", "", "", "", "", "", "", "", "",
                false, true, 20480, 300, true, "jdk");
        assertEquals("No tls-cert-file configured!", assertThrows(TlsContexts.TlsException.class, () -> t.configure(none)).getMessage());
        TlsContexts.Settings noCa = new TlsContexts.Settings("/x.crt", "/x.key", "", "", "", "", "", "", "", "", "", "",
                false, true, 20480, 300, true, "jdk");
        assertTrue(assertThrows(TlsContexts.TlsException.class, () -> t.configure(noCa)).getMessage().startsWith("Either tls-ca-cert-file"));
        TlsContexts.Settings noFile = new TlsContexts.Settings("/nonexistent.crt", "/x.key", "", "", "", "", "", "", "", "", "", "",
                false, true, 20480, 300, false, "jdk");
        assertEquals("Failed to load certificate: /nonexistent.crt: No such file or directory",
                assertThrows(TlsContexts.TlsException.class, () -> t.configure(noFile)).getMessage());
        assertFalse(t.configured());
    }
}
