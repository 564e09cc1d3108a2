package io.openirsa.core.eks;

import io.openirsa.core.Identifiers;
import io.openirsa.core.model.KeyStatus;
import io.openirsa.core.model.StoredKey;
import io.openirsa.core.store.Store;
import io.openirsa.core.sts.KeyEncryption;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The certificate authority of the clusters' Kubernetes API endpoint: what DescribeCluster returns as
 * a cluster's {@code certificateAuthority} (so the kubeconfig {@code aws eks update-kubeconfig}
 * writes trusts the endpoint), and the issuer of the TLS certificate that endpoint serves. One CA for
 * the deployment, kept in the store sealed like the other keys, so that every replica serves a
 * certificate under it; EKS has one per cluster (README). Certificates are made with Bouncy Castle.
 */
public final class ClusterCertificateAuthority {
    static final String OWNER = "kubernetes-ca";
    private static final Duration CA_VALIDITY = Duration.ofDays(3650); // as kubeadm's cluster CA
    private static final Duration SERVING_VALIDITY = Duration.ofDays(365);
    private static final String SIGNATURE = "SHA256withECDSA";

    private final X509Certificate certificate;
    private final PrivateKey key;

    /** A key and the chain to serve with it (the server's certificate, then the CA's). */
    public record Serving(PrivateKey key, List<X509Certificate> chain) {
    }

    private ClusterCertificateAuthority(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /** The store's CA, made on first use (a replica that loses the race to make it reads the winner's). */
    public static ClusterCertificateAuthority load(Store store, KeyEncryption encryption, Instant now) {
        List<StoredKey> keys = store.keys(OWNER);
        if (keys.isEmpty()) {
            store.insertKey(new StoredKey(OWNER, "1", KeyStatus.PRIMARY, encryption.seal(newCa(now)), now, now));
            keys = store.keys(OWNER);
        }
        String material = encryption.open(keys.getFirst().material());
        try {
            int split = material.indexOf("-----BEGIN PRIVATE KEY-----");
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(material.substring(0, split).getBytes(StandardCharsets.US_ASCII)));
            String body = material.substring(split).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
            return new ClusterCertificateAuthority(cert, key);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalStateException("the stored cluster certificate authority does not load", e);
        }
    }

    /** The CA certificate as PEM: DescribeCluster's {@code certificateAuthority.data} is its base64. */
    public String pem() {
        return pem("CERTIFICATE", encoded(certificate));
    }

    /**
     * A new serving certificate for these host names and IP addresses, signed by the CA, with a key of
     * its own that never leaves this process.
     */
    public Serving serving(List<String> hosts, Instant now) {
        KeyPair pair = ecKeyPair();
        List<GeneralName> names = new ArrayList<>();
        for (String h : new LinkedHashSet<>(hosts)) {
            String bare = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
            names.add(isAddress(bare) ? new GeneralName(GeneralName.iPAddress, bare) : new GeneralName(GeneralName.dNSName, bare));
        }
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(SERVING_VALIDITY)), new X500Name("CN=kube-apiserver"), pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            X509Certificate leaf = new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(SIGNATURE).build(key)));
            return new Serving(pair.getPrivate(), List.of(leaf, certificate));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("a serving certificate could not be made", e);
        }
    }

    private static String newCa(Instant now) {
        KeyPair pair = ecKeyPair();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X500Name name = new X500Name("CN=openirsa-kubernetes");
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(CA_VALIDITY)), name, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(SIGNATURE).build(pair.getPrivate())));
            return pem("CERTIFICATE", encoded(cert)) + pem("PRIVATE KEY", pair.getPrivate().getEncoded());
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("the cluster certificate authority could not be made", e);
        }
    }

    private static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, Identifiers.random());
    }

    private static boolean isAddress(String host) {
        if (host.contains(":")) {
            return true; // an IPv6 literal: host names have no colons
        }
        if (!host.matches("[0-9.]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(host) != null; // a dotted quad; resolving a literal makes no lookup
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static byte[] encoded(X509Certificate cert) {
        try {
            return cert.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
