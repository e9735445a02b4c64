package io.basalt.server.util;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.CipherSuiteConverter;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The TLS contexts of Redis's tls.c: a server context for the tls-port and a client context for
 * the links this server opens (a replica to its master with tls-replication). Built from the
 * tls-* directives by {@link #configure}, atomically: a failure leaves the contexts in use
 * untouched (tlsConfigure); connections accepted after a successful reconfiguration use the new
 * contexts, open ones keep theirs, as with Redis's SSL_CTX swap.
 *
 * <p>Netty's engines underneath: BoringSSL (netty-tcnative) when it loads, else the JDK's
 * ({@code basalt-tls-provider} chooses).
 */
public final class TlsContexts {
    /** A tls-* configuration that cannot be put in force; the message is the log line Redis writes. */
    public static final class TlsException extends Exception {
        public TlsException(String message) { super(message); }

        public TlsException(String message, Throwable cause) { super(message, cause); }
    }

    /** The tls-* directives (empty strings: not set, as Redis's EMPTY_STRING_IS_NULL). */
    public record Settings(String certFile, String keyFile, String keyFilePass,
                           String clientCertFile, String clientKeyFile, String clientKeyFilePass,
                           String dhParamsFile, String caCertFile, String caCertDir,
                           String protocols, String ciphers, String ciphersuites,
                           boolean preferServerCiphers, boolean sessionCaching,
                           int sessionCacheSize, int sessionCacheTimeout,
                           boolean caRequired, String provider) {}

    private record Contexts(SslContext server, SslContext client, boolean preferServerCiphers, SslProvider provider,
                            javax.net.ssl.SSLSocketFactory blocking, String[] protocols) {}

    private volatile Contexts contexts;

    /** Whether a configuration is in force (Redis's isTlsConfigured). */
    public boolean configured() {
        return contexts != null;
    }

    /** "openssl" or "jdk": the engine of the contexts in force, or of {@code provider} when none is. */
    public String providerName() {
        Contexts c = contexts;
        return c == null ? "none" : c.provider == SslProvider.JDK ? "jdk" : "openssl";
    }

    /** The provider {@code basalt-tls-provider} names: auto is BoringSSL when it loads. */
    static SslProvider provider(String name) throws TlsException {
        switch (name == null ? "auto" : name) {
            case "jdk":
                return SslProvider.JDK;
            case "openssl":
                if (!OpenSsl.isAvailable()) {
                    throw new TlsException("the native TLS provider (netty-tcnative) did not load: " + OpenSsl.unavailabilityCause());
                }
                return SslProvider.OPENSSL;
            default:
                return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        }
    }

    /** Redis's tlsConfigure: builds the contexts of {@code s} and puts them in force, or throws. */
    public void configure(Settings s) throws TlsException {
        if (empty(s.certFile)) throw new TlsException("No tls-cert-file configured!");
        if (empty(s.keyFile)) throw new TlsException("No tls-key-file configured!");
        if (s.caRequired && empty(s.caCertFile) && empty(s.caCertDir)) {
            throw new TlsException("Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, "
                    + "tls-replication or tls-auth-clients are enabled!");
        }
        String[] protocols = protocols(s.protocols);
        SslProvider provider = provider(s.provider);
        if (!empty(s.dhParamsFile)) {
            // read and checked as Redis does; the engines negotiate (EC)DHE groups of their own
            try {
                PemFiles.dhParameters(Path.of(s.dhParamsFile));
            } catch (java.io.IOException e) {
                throw new TlsException("Failed to load " + s.dhParamsFile + ": " + e.getMessage(), e);
            }
        }
        List<X509Certificate> cas = new ArrayList<>();
        try {
            if (!empty(s.caCertFile)) cas.addAll(PemFiles.certificates(Path.of(s.caCertFile)));
            if (!empty(s.caCertDir)) cas.addAll(PemFiles.certificateDir(Path.of(s.caCertDir)));
        } catch (Exception e) {
            throw new TlsException("Failed to configure CA certificate(s) file/directory: " + e.getMessage(), e);
        }
        List<String> ciphers = ciphers(s.ciphers, s.ciphersuites, provider);
        KeyPair server = keyPair(s.certFile, s.keyFile, s.keyFilePass);
        // without a client certificate of its own, the server's serves the outgoing links (tls.c)
        KeyPair client = !empty(s.clientCertFile) && !empty(s.clientKeyFile)
                ? keyPair(s.clientCertFile, s.clientKeyFile, s.clientKeyFilePass) : server;
        SslContext serverCtx;
        SslContext clientCtx;
        javax.net.ssl.SSLSocketFactory blocking;
        try {
            SslContextBuilder sb = SslContextBuilder.forServer(server.key, server.chain)
                    .sslProvider(provider)
                    .protocols(protocols)
                    // per connection: tls-auth-clients is read at accept time (serverHandler)
                    .clientAuth(ClientAuth.NONE);
            if (!cas.isEmpty()) sb.trustManager(cas);
            if (ciphers != null) sb.ciphers(ciphers);
            if (s.sessionCaching) sb.sessionCacheSize(s.sessionCacheSize).sessionTimeout(s.sessionCacheTimeout);
            serverCtx = sb.build();
            if (!s.sessionCaching && serverCtx.sessionContext() instanceof OpenSslSessionContext osc) {
                osc.setSessionCacheEnabled(false);
            } else if (!s.sessionCaching) {
                // the JDK's cache cannot be turned off (0 means unbounded): one entry, one second
                serverCtx.sessionContext().setSessionCacheSize(1);
                serverCtx.sessionContext().setSessionTimeout(1);
            }
            SslContextBuilder cb = SslContextBuilder.forClient()
                    .sslProvider(provider)
                    .protocols(protocols)
                    .keyManager(client.key, client.chain)
                    // Redis checks the peer's chain against its CAs, not its name
                    .endpointIdentificationAlgorithm(null);
            if (!cas.isEmpty()) cb.trustManager(cas);
            if (ciphers != null) cb.ciphers(ciphers);
            clientCtx = cb.build();
            // the same client side for blocking sockets (MIGRATE), on the JDK's engine
            SslContextBuilder jb = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .keyManager(client.key, client.chain)
                    .endpointIdentificationAlgorithm(null);
            if (!cas.isEmpty()) jb.trustManager(cas);
            blocking = ((io.netty.handler.ssl.JdkSslContext) jb.build()).context().getSocketFactory();
        } catch (Exception e) {
            throw new TlsException("Failed to configure TLS: " + messageOf(e), e);
        }
        contexts = new Contexts(serverCtx, clientCtx, s.preferServerCiphers, provider, blocking, protocols);
    }

    /** The handler in front of an accepted connection, verifying clients as tls-auth-clients says. */
    public SslHandler serverHandler(ByteBufAllocator alloc, String authClients) {
        Contexts c = contexts;
        SslHandler h = c.server.newHandler(alloc);
        SSLEngine engine = h.engine();
        SSLParameters p = engine.getSSLParameters();
        switch (authClients) {
            case "no" -> p.setNeedClientAuth(false);
            case "optional" -> p.setWantClientAuth(true);
            default -> p.setNeedClientAuth(true); // yes, and fail-secure
        }
        if (c.preferServerCiphers) p.setUseCipherSuitesOrder(true);
        engine.setSSLParameters(p);
        return h;
    }

    /** The handler of a connection this server opens to {@code host:port} (tls-replication). */
    public SslHandler clientHandler(ByteBufAllocator alloc, String host, int port) {
        return contexts.client.newHandler(alloc, host, port);
    }

    /** {@code plain}, connected to {@code host:port}, turned into a TLS client socket and handshaken. */
    public java.net.Socket blockingClient(java.net.Socket plain, String host, int port) throws java.io.IOException {
        Contexts c = contexts;
        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) c.blocking.createSocket(plain, host, port, true);
        List<String> enabled = new ArrayList<>();
        for (String p : c.protocols) if (List.of(s.getSupportedProtocols()).contains(p)) enabled.add(p);
        if (!enabled.isEmpty()) s.setEnabledProtocols(enabled.toArray(new String[0]));
        s.startHandshake();
        return s;
    }

    // ---------------------------------------------------------------- pieces

    private record KeyPair(PrivateKey key, List<X509Certificate> chain) {}

    private static KeyPair keyPair(String certFile, String keyFile, String pass) throws TlsException {
        List<X509Certificate> chain;
        try {
            chain = PemFiles.certificates(Path.of(certFile));
        } catch (Exception e) {
            throw new TlsException("Failed to load certificate: " + certFile + ": " + messageOf(e), e);
        }
        PrivateKey key;
        try {
            key = PemFiles.privateKey(Path.of(keyFile), empty(pass) ? null : pass);
        } catch (Exception e) {
            throw new TlsException("Failed to load private key: " + keyFile + ": " + messageOf(e), e);
        }
        if (!matches(key, chain.get(0))) {
            throw new TlsException("Failed to load private key: " + keyFile + ": key values mismatch");
        }
        return new KeyPair(key, chain);
    }

    /** Whether the key signs what the certificate's public key verifies (OpenSSL's X509_check_private_key). */
    private static boolean matches(PrivateKey key, X509Certificate cert) {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            case "DSA" -> "SHA256withDSA";
            default -> null;
        };
        if (alg == null) return true; // no way to tell here: the handshake will
        try {
            byte[] data = "basalt key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature sig = Signature.getInstance(alg);
            sig.initSign(key);
            sig.update(data);
            byte[] signed = sig.sign();
            Signature ver = Signature.getInstance(alg);
            ver.initVerify(cert.getPublicKey());
            ver.update(data);
            return ver.verify(signed);
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * tls-protocols (parseProtocolsConfig): words separated by single spaces, each TLSv1,
     * TLSv1.1, TLSv1.2 or TLSv1.3 in any case; not set: TLSv1.2 and TLSv1.3.
     */
    static String[] protocols(String value) throws TlsException {
        if (empty(value)) return new String[]{"TLSv1.2", "TLSv1.3"};
        Set<String> out = new LinkedHashSet<>();
        for (String w : value.split(" ", -1)) {
            switch (w.toLowerCase(Locale.ROOT)) {
                case "tlsv1" -> out.add("TLSv1");
                case "tlsv1.1" -> out.add("TLSv1.1");
                case "tlsv1.2" -> out.add("TLSv1.2");
                case "tlsv1.3" -> out.add("TLSv1.3");
                default -> throw new TlsException("Invalid tls-protocols specified. "
                        + "Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.");
            }
        }
        return out.toArray(new String[0]);
    }

    /** TLS 1.3's suites (tls-ciphersuites) are named alike in OpenSSL and Java. */
    private static boolean tls13(String javaName) {
        return javaName.startsWith("TLS_AES_") || javaName.startsWith("TLS_CHACHA20_");
    }

    /**
     * The cipher suites of tls-ciphers (TLS 1.2 and below, OpenSSL's list form) and
     * tls-ciphersuites (TLS 1.3), or null for the provider's defaults. An OpenSSL cipher list is a
     * set expression: names (OpenSSL's or IANA's) add a suite, '!' or '-' before a name removes it,
     * and keywords (DEFAULT, HIGH, ALL...) stand for the provider's default suites here. As with
     * SSL_CTX_set_cipher_list, unknown names are skipped and a list that selects nothing fails.
     */
    static List<String> ciphers(String ciphers, String suites, SslProvider provider) throws TlsException {
        if (empty(ciphers) && empty(suites)) return null;
        Set<String> available = available(provider);
        List<String> defaults = defaults(provider);
        List<String> out = new ArrayList<>();
        if (empty(suites)) {
            for (String d : defaults) if (tls13(d)) out.add(d);
        } else {
            List<String> chosen = new ArrayList<>();
            for (String n : suites.split(":")) {
                String j = n.trim();
                if (tls13(j) && available.contains(j) && !chosen.contains(j)) chosen.add(j);
            }
            if (chosen.isEmpty()) throw new TlsException("Failed to configure ciphersuites: " + suites);
            out.addAll(chosen);
        }
        if (empty(ciphers)) {
            for (String d : defaults) if (!tls13(d)) out.add(d);
        } else {
            List<String> chosen = new ArrayList<>();
            for (String token : ciphers.split("[:, ]+")) {
                if (token.isEmpty() || token.startsWith("@")) continue;
                boolean remove = token.startsWith("!") || token.startsWith("-");
                String name = token.startsWith("!") || token.startsWith("-") || token.startsWith("+") ? token.substring(1) : token;
                String j = javaName(name);
                if (j != null && !tls13(j)) {
                    if (remove) chosen.remove(j);
                    else if (available.contains(j) && !chosen.contains(j)) chosen.add(j);
                } else if (!remove && keyword(name)) {
                    for (String d : defaults) if (!tls13(d) && !chosen.contains(d)) chosen.add(d);
                }
            }
            if (chosen.isEmpty()) throw new TlsException("Failed to configure ciphers: " + ciphers);
            out.addAll(chosen);
        }
        return out;
    }

    /** OpenSSL's cipher-list keywords (and their '+' combinations), which select a group of suites. */
    private static final Set<String> KEYWORDS = Set.of("DEFAULT", "COMPLEMENTOFDEFAULT", "ALL", "COMPLEMENTOFALL",
            "HIGH", "MEDIUM", "LOW", "SECLEVEL", "AES", "AES128", "AES256", "AESGCM", "AESCCM", "CHACHA20", "ARIA",
            "CAMELLIA", "SHA", "SHA1", "SHA256", "SHA384", "RSA", "KRSA", "ARSA", "ECDHE", "EECDH", "KECDHE", "KEECDH",
            "DHE", "EDH", "KDHE", "KEDH", "ECDSA", "AECDSA", "TLSV1.2", "TLSV1", "SSLV3", "FIPS", "SUITEB128",
            "SUITEB192", "SUITEB128ONLY");

    private static boolean keyword(String name) {
        for (String part : name.split("\\+")) {
            String p = part.toUpperCase(Locale.ROOT);
            if (p.startsWith("SECLEVEL=")) continue;
            if (!KEYWORDS.contains(p)) return false;
        }
        return !name.isEmpty();
    }

    /** A cipher's Java (IANA) name from its OpenSSL or IANA name, or null if it is no cipher name. */
    private static String javaName(String name) {
        if (name.startsWith("TLS_") || name.startsWith("SSL_")) return name;
        return CipherSuiteConverter.toJava(name, "TLS");
    }

    private static Set<String> available(SslProvider provider) {
        if (provider != SslProvider.JDK) return OpenSsl.availableJavaCipherSuites();
        try {
            return Set.of(javax.net.ssl.SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (java.security.NoSuchAlgorithmException e) {
            return Set.of();
        }
    }

    /** The provider's default suites (Netty's secure defaults), TLS 1.3's first. */
    private static List<String> defaults(SslProvider provider) throws TlsException {
        try {
            return SslContextBuilder.forClient().sslProvider(provider).build().cipherSuites();
        } catch (javax.net.ssl.SSLException e) {
            throw new TlsException("Failed to configure TLS: " + messageOf(e), e);
        }
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }

    private static String messageOf(Throwable t) {
        if (t instanceof java.nio.file.NoSuchFileException) return "No such file or directory";
        if (t instanceof java.nio.file.AccessDeniedException) return "Permission denied";
        while (t.getCause() != null && t.getMessage() == null) t = t.getCause();
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
