package io.openirsa.cli;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A private CA and server certificates made with the JDK's keytool, for https issuers in tests. */
final class TestCertificates {
    static final char[] PASSWORD = "changeit".toCharArray();
    final Path dir;
    final String caPem;

    TestCertificates(Path dir) throws Exception {
        this.dir = dir;
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=OpenIRSA Test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12");
        keytool("-exportcert", "-alias", "ca", "-keystore", "ca.p12", "-rfc", "-file", "ca.pem");
        caPem = Files.readString(dir.resolve("ca.pem"));
    }

    /** A server keystore whose certificate (signed by the CA) names this IP address; the chain is [server, CA]. */
    SSLContext server(String name, String ip) throws Exception {
        String ks = name + ".p12";
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + ip, "-validity", "2", "-keystore", ks);
        keytool("-certreq", "-alias", "server", "-keystore", ks, "-file", name + ".csr");
        keytool("-gencert", "-alias", "ca", "-keystore", "ca.p12", "-infile", name + ".csr", "-outfile", name + ".pem", "-rfc",
                "-ext", "san=ip:" + ip, "-ext", "eku=serverAuth", "-validity", "2");
        keytool("-importcert", "-alias", "ca", "-file", "ca.pem", "-keystore", ks, "-noprompt");
        keytool("-importcert", "-alias", "server", "-file", name + ".pem", "-keystore", ks, "-noprompt");
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(dir.resolve(ks))) {
            store.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    /** SHA-1 of the CA certificate, hex: the thumbprint IAM would hold for it. */
    String caThumbprint() throws Exception {
        X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(caPem.getBytes()));
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(ca.getEncoded()));
    }

    private void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storepass", "changeit", "-storetype", "PKCS12"));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + ": " + out);
        }
    }
}
