package io.openirsa.webhook;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * The server certificate and key from PEM files, read again when either file changes (cert-manager
 * renews them in place), so a renewed certificate is served from the next TLS handshake on without
 * a restart. Keys in PKCS#8 ({@code PRIVATE KEY}: RSA or EC) or PKCS#1 ({@code RSA PRIVATE KEY}).
 */
public final class ServingCertificate extends X509ExtendedKeyManager {
    private static final Logger LOG = LoggerFactory.getLogger(ServingCertificate.class);
    private static final String ALIAS = "webhook";

    private record Loaded(X509Certificate[] chain, PrivateKey key, FileTime certTime, FileTime keyTime) {
    }

    private final Path certFile;
    private final Path keyFile;
    private volatile Loaded loaded;

    public ServingCertificate(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.loaded = load();
    }

    /** A TLS context (1.2 and up are what the server enables) serving these files. */
    public SSLContext sslContext() throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new KeyManager[]{this}, new TrustManager[0], null);
        return ctx;
    }

    private Loaded current() {
        Loaded l = loaded;
        try {
            if (!Files.getLastModifiedTime(certFile).equals(l.certTime) || !Files.getLastModifiedTime(keyFile).equals(l.keyTime)) {
                synchronized (this) {
                    l = load();
                    loaded = l;
                    LOG.info("reloaded the TLS certificate {} (subject {}, valid until {})", certFile,
                            l.chain[0].getSubjectX500Principal(), l.chain[0].getNotAfter());
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.warn("cannot reload the TLS certificate from {} and {} ({}); serving the previous one", certFile, keyFile, e.getMessage());
        }
        return l;
    }

    private Loaded load() throws IOException, GeneralSecurityException {
        FileTime certTime = Files.getLastModifiedTime(certFile);
        FileTime keyTime = Files.getLastModifiedTime(keyFile);
        var certs = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certFile)));
        if (certs.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + certFile);
        }
        X509Certificate[] chain = certs.stream().map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
        return new Loaded(chain, privateKey(Files.readString(keyFile, StandardCharsets.US_ASCII)), certTime, keyTime);
    }

    static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        boolean pkcs1 = pem.contains("BEGIN RSA PRIVATE KEY");
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(base64);
        if (pkcs1) {
            der = wrapPkcs1(der);
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String alg : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("the key is not a PKCS#8 RSA, EC or Ed25519 key, nor a PKCS#1 RSA key");
    }

    /** PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption, the key as an OCTET STRING). */
    private static byte[] wrapPkcs1(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = concat(new byte[]{0x04}, length(pkcs1.length), pkcs1);
        byte[] body = concat(version, algorithm, octets);
        return concat(new byte[]{0x30}, length(body.length), body);
    }

    private static byte[] length(int n) {
        if (n < 128) {
            return new byte[]{(byte) n};
        }
        if (n < 256) {
            return new byte[]{(byte) 0x81, (byte) n};
        }
        if (n < 65536) {
            return new byte[]{(byte) 0x82, (byte) (n >> 8), (byte) n};
        }
        return new byte[]{(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int i = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return matches(keyType) ? ALIAS : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return matches(keyType) ? ALIAS : null;
    }

    private boolean matches(String keyType) {
        String alg = current().key.getAlgorithm();
        return keyType == null || keyType.equalsIgnoreCase(alg) || (alg.equals("EC") && keyType.startsWith("EC"))
                || (alg.equals("RSA") && keyType.startsWith("RSA"));
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return matches(keyType) ? new String[]{ALIAS} : new String[0];
    }

    /** When the certificate now served expires. */
    public Instant notAfter() {
        return current().chain[0].getNotAfter().toInstant();
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? current().chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? current().key : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[0];
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
