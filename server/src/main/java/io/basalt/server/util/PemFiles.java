package io.basalt.server.util;

import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * PEM certificates and private keys as OpenSSL (and so Redis's tls-cert-file / tls-key-file)
 * takes them: certificate chains; PKCS#8 keys, plain or encrypted (PBES1/PBES2, OpenSSL 3's
 * default); PKCS#1 "RSA PRIVATE KEY" and SEC1 "EC PRIVATE KEY" keys, plain or with OpenSSL's
 * traditional "Proc-Type: 4,ENCRYPTED" / "DEK-Info" encryption. The JDK reads only plain and
 * encrypted PKCS#8, so the traditional forms are unwrapped here into PKCS#8.
 */
public final class PemFiles {
    private PemFiles() {}

    /** One PEM block: its label ("CERTIFICATE", "RSA PRIVATE KEY"), headers and DER body. */
    record Block(String label, List<String> headers, byte[] der) {
        String header(String name) {
            for (String h : headers) {
                int i = h.indexOf(':');
                if (i > 0 && h.substring(0, i).trim().equalsIgnoreCase(name)) return h.substring(i + 1).trim();
            }
            return null;
        }
    }

    /** The PEM blocks of a file, in order; text outside the blocks is ignored (as OpenSSL does). */
    static List<Block> blocks(String text) throws IOException {
        List<Block> out = new ArrayList<>();
        String[] lines = text.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            if (!line.startsWith("-----BEGIN ") || !line.endsWith("-----")) continue;
            String label = line.substring(11, line.length() - 5).trim();
            List<String> headers = new ArrayList<>();
            StringBuilder b64 = new StringBuilder();
            boolean ended = false;
            for (i++; i < lines.length; i++) {
                String l = lines[i].trim();
                if (l.equals("-----END " + label + "-----")) {
                    ended = true;
                    break;
                }
                if (l.contains(":")) headers.add(l);
                else b64.append(l);
            }
            if (!ended) throw new IOException("PEM block " + label + " has no END line");
            try {
                out.add(new Block(label, headers, Base64.getMimeDecoder().decode(b64.toString())));
            } catch (IllegalArgumentException e) {
                throw new IOException("bad base64 in PEM block " + label);
            }
        }
        return out;
    }

    private static List<Block> blocks(Path file) throws IOException {
        return blocks(Files.readString(file, StandardCharsets.ISO_8859_1));
    }

    /** Every certificate of a PEM file (a chain: the leaf first, as OpenSSL's chain file). */
    public static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> certs = new ArrayList<>();
        for (Block b : blocks(file)) {
            if (b.label().equals("CERTIFICATE") || b.label().equals("X509 CERTIFICATE")
                    || b.label().equals("TRUSTED CERTIFICATE")) {
                certs.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
            }
        }
        if (certs.isEmpty()) throw new IOException("no certificate in " + file);
        return certs;
    }

    /**
     * The certificates of a CA directory (tls-ca-cert-dir): OpenSSL looks them up by their
     * c_rehash names (hash.0); every file of the directory that holds PEM certificates is read
     * here, which trusts the same set when the directory is a c_rehash'ed one.
     */
    public static List<X509Certificate> certificateDir(Path dir) throws IOException, GeneralSecurityException {
        if (!Files.isDirectory(dir)) throw new IOException("not a directory: " + dir);
        List<X509Certificate> certs = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                if (!Files.isRegularFile(f)) continue;
                try {
                    certs.addAll(certificates(f));
                } catch (IOException e) {
                    // not a certificate file (a CRL, a README): OpenSSL's lookup ignores it too
                }
            }
        }
        return certs;
    }

    /** Checks that a DH parameters file (tls-dh-params-file) holds PEM "DH PARAMETERS". */
    public static void dhParameters(Path file) throws IOException {
        for (Block b : blocks(file)) {
            if (b.label().equals("DH PARAMETERS") || b.label().equals("X9.42 DH PARAMETERS")) return;
        }
        throw new IOException(file + ": failed to read DH params.");
    }

    /**
     * The first private key of a PEM file, decrypted with {@code password} when it is encrypted
     * (an encrypted key without a password fails, as OpenSSL's callback then returns -1).
     */
    public static PrivateKey privateKey(Path file, String password) throws IOException, GeneralSecurityException {
        for (Block b : blocks(file)) {
            switch (b.label()) {
                case "PRIVATE KEY":
                    return pkcs8(b.der());
                case "ENCRYPTED PRIVATE KEY":
                    return pkcs8(decryptPkcs8(b.der(), password));
                case "RSA PRIVATE KEY":
                    return pkcs8(wrap(RSA_ALGORITHM, traditional(b, password)));
                case "EC PRIVATE KEY": {
                    byte[] sec1 = traditional(b, password);
                    return pkcs8(wrap(ecAlgorithm(sec1), sec1));
                }
                default:
                    break; // EC PARAMETERS, certificates...: skipped, as OpenSSL does
            }
        }
        throw new IOException("no private key in " + file);
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String alg : new String[]{"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("unsupported private key type", last);
    }

    private static byte[] decryptPkcs8(byte[] der, String password) throws IOException, GeneralSecurityException {
        if (password == null) throw new GeneralSecurityException("the key is encrypted and no password is configured");
        EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
        // PBES2's scheme is in its parameters (e.g. PBEWithHmacSHA256AndAES_256), PBES1's is the name
        String alg = info.getAlgName();
        if (alg.equals("1.2.840.113549.1.5.13") || alg.equalsIgnoreCase("PBES2")) alg = info.getAlgParameters().toString();
        SecretKey key = SecretKeyFactory.getInstance(alg).generateSecret(new PBEKeySpec(password.toCharArray()));
        Cipher cipher = Cipher.getInstance(alg);
        cipher.init(Cipher.DECRYPT_MODE, key, info.getAlgParameters());
        return info.getKeySpec(cipher).getEncoded();
    }

    /**
     * The DER of a traditional (PKCS#1 / SEC1) key, decrypted as OpenSSL's PEM_do_header does
     * when it has "Proc-Type: 4,ENCRYPTED": the key is EVP_BytesToKey(MD5, password, the IV's
     * first 8 bytes as salt, one round), the cipher is DEK-Info's.
     */
    private static byte[] traditional(Block b, String password) throws GeneralSecurityException {
        String proc = b.header("Proc-Type");
        if (proc == null || !proc.toUpperCase(Locale.ROOT).contains("ENCRYPTED")) return b.der();
        if (password == null) throw new GeneralSecurityException("the key is encrypted and no password is configured");
        String dek = b.header("DEK-Info");
        if (dek == null || dek.indexOf(',') < 0) throw new GeneralSecurityException("encrypted key without DEK-Info");
        String name = dek.substring(0, dek.indexOf(',')).trim().toUpperCase(Locale.ROOT);
        byte[] iv = HexFormat.of().parseHex(dek.substring(dek.indexOf(',') + 1).trim());
        String transformation;
        String keyAlg;
        int keyLen;
        switch (name) {
            case "AES-128-CBC" -> { transformation = "AES/CBC/PKCS5Padding"; keyAlg = "AES"; keyLen = 16; }
            case "AES-192-CBC" -> { transformation = "AES/CBC/PKCS5Padding"; keyAlg = "AES"; keyLen = 24; }
            case "AES-256-CBC" -> { transformation = "AES/CBC/PKCS5Padding"; keyAlg = "AES"; keyLen = 32; }
            case "DES-EDE3-CBC" -> { transformation = "DESede/CBC/PKCS5Padding"; keyAlg = "DESede"; keyLen = 24; }
            case "DES-CBC" -> { transformation = "DES/CBC/PKCS5Padding"; keyAlg = "DES"; keyLen = 8; }
            default -> throw new GeneralSecurityException("unsupported PEM encryption " + name);
        }
        byte[] salt = java.util.Arrays.copyOf(iv, 8);
        byte[] pass = password.getBytes(StandardCharsets.UTF_8);
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        ByteArrayOutputStream keyBytes = new ByteArrayOutputStream();
        byte[] prev = new byte[0];
        while (keyBytes.size() < keyLen) {
            md5.update(prev);
            md5.update(pass);
            md5.update(salt);
            prev = md5.digest();
            keyBytes.writeBytes(prev);
        }
        byte[] k = java.util.Arrays.copyOf(keyBytes.toByteArray(), keyLen);
        Cipher c = Cipher.getInstance(transformation);
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(k, keyAlg), new IvParameterSpec(iv));
        try {
            return c.doFinal(b.der());
        } catch (GeneralSecurityException e) {
            throw new GeneralSecurityException("bad decrypt (wrong tls-key-file-pass?)", e);
        }
    }

    // ---------------------------------------------------------------- DER, just what the wrapping needs

    /** AlgorithmIdentifier { rsaEncryption, NULL }. */
    private static final byte[] RSA_ALGORITHM = seq(concat(oid("2a864886f70d010101"), new byte[]{0x05, 0x00}));

    /** AlgorithmIdentifier { id-ecPublicKey, namedCurve } of a SEC1 key (its [0] parameters). */
    private static byte[] ecAlgorithm(byte[] sec1) throws GeneralSecurityException {
        int[] pos = {0};
        int[] seq = header(sec1, pos, 0x30);
        int end = pos[0] + seq[1];
        while (pos[0] < end) {
            int tag = sec1[pos[0]] & 0xff;
            int start = pos[0];
            int[] h = header(sec1, pos, -1);
            if (tag == 0xa0) {
                byte[] curve = java.util.Arrays.copyOfRange(sec1, pos[0], pos[0] + h[1]);
                return seq(concat(oid("2a8648ce3d0201"), curve));
            }
            pos[0] += h[1];
            if (pos[0] <= start) break;
        }
        throw new GeneralSecurityException("EC private key without named curve parameters");
    }

    /** PrivateKeyInfo { version 0, algorithm, OCTET STRING key }. */
    private static byte[] wrap(byte[] algorithm, byte[] key) {
        return seq(concat(new byte[]{0x02, 0x01, 0x00}, algorithm, tlv(0x04, key)));
    }

    /** Reads a tag and length at pos (advancing past them): {tag, length}. */
    private static int[] header(byte[] der, int[] pos, int expectTag) throws GeneralSecurityException {
        if (pos[0] + 2 > der.length) throw new GeneralSecurityException("truncated DER");
        int tag = der[pos[0]++] & 0xff;
        if (expectTag >= 0 && tag != expectTag) throw new GeneralSecurityException("unexpected DER tag " + tag);
        int len = der[pos[0]++] & 0xff;
        if (len >= 0x80) {
            int n = len & 0x7f;
            if (n > 4 || pos[0] + n > der.length) throw new GeneralSecurityException("bad DER length");
            len = 0;
            for (int i = 0; i < n; i++) len = (len << 8) | (der[pos[0]++] & 0xff);
        }
        if (len < 0 || pos[0] + len > der.length) throw new GeneralSecurityException("truncated DER");
        return new int[]{tag, len};
    }

    private static byte[] oid(String hex) {
        return tlv(0x06, HexFormat.of().parseHex(hex));
    }

    private static byte[] seq(byte[] content) {
        return tlv(0x30, content);
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
