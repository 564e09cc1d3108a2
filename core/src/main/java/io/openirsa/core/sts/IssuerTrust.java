package io.openirsa.core.sts;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whom to trust for one OIDC provider's TLS: the JDK's trusted roots plus the provider's own CA
 * bundle (an OpenIRSA extension); and, only when the certificate does not chain to those, a
 * certificate of the presented chain whose SHA-1 thumbprint is registered, as IAM documents. A
 * pinned certificate is used as a trust anchor for a full PKIX check, hostname included: a chain
 * that merely contains the pinned (public) certificate is not enough.
 */
public final class IssuerTrust extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager roots;
    private final Set<String> thumbprints;

    private IssuerTrust(X509ExtendedTrustManager roots, Set<String> thumbprints) {
        this.roots = roots;
        this.thumbprints = thumbprints;
    }

    /** An SSL context for a provider; its CA bundle and thumbprints may be empty. */
    /**
     * Whether a PEM bundle holds at least one X.509 certificate and nothing that fails to parse.
     */
    public static boolean isCertificateBundle(String pem) {
        try {
            return !CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).isEmpty();
        } catch (CertificateException e) {
            return false;
        }
    }

    static SSLContext context(String caBundle, List<String> thumbprints) throws GeneralSecurityException {
        KeyStore store = emptyKeyStore();
        X509ExtendedTrustManager jdk = trustManager(null);
        int i = 0;
        for (X509Certificate root : jdk.getAcceptedIssuers()) {
            store.setCertificateEntry("jdk-" + i++, root);
        }
        if (caBundle != null && !caBundle.isBlank()) {
            for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(caBundle.getBytes(StandardCharsets.US_ASCII)))) {
                store.setCertificateEntry("bundle-" + i++, cert);
            }
        }
        Set<String> pins = thumbprints.stream().map(t -> t.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[]{new IssuerTrust(trustManager(store), pins)}, null);
        return ctx;
    }

    private static KeyStore emptyKeyStore() throws GeneralSecurityException {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            return store;
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static X509ExtendedTrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(store);
        for (TrustManager tm : f.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509 trust manager");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        try {
            roots.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException untrusted) {
            pinnedTrustManager(chain, untrusted).checkServerTrusted(chain, authType, engine);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        try {
            roots.checkServerTrusted(chain, authType, socket);
        } catch (CertificateException untrusted) {
            pinnedTrustManager(chain, untrusted).checkServerTrusted(chain, authType, socket);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("issuer connections are checked with their host name");
    }

    /** A trust manager whose only anchor is the chain's certificate with a registered thumbprint. */
    private X509ExtendedTrustManager pinnedTrustManager(X509Certificate[] chain, CertificateException untrusted) throws CertificateException {
        for (X509Certificate cert : chain) {
            if (thumbprints.contains(thumbprint(cert))) {
                try {
                    KeyStore store = emptyKeyStore();
                    store.setCertificateEntry("pinned", cert);
                    return trustManager(store);
                } catch (GeneralSecurityException e) {
                    throw new CertificateException("cannot use the pinned certificate", e);
                }
            }
        }
        throw untrusted;
    }

    static String thumbprint(X509Certificate cert) throws CertificateException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new CertificateException(e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("not a server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("not a server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("not a server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return roots.getAcceptedIssuers();
    }
}
