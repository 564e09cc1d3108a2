package io.openirsa.webhook;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A private CA and server certificates in PEM, made with the openssl command, as cert-manager would write them. */
final class OpenSslCertificates {
    final Path dir;

    OpenSslCertificates(Path dir) throws Exception {
        this.dir = dir;
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                "-days", "2", "-subj", "/CN=webhook test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign");
    }

    /**
     * Writes {@code name.crt} and {@code name.key} for 127.0.0.1, signed by the CA.
     *
     * @param rsaPkcs1 an RSA key in PKCS#1 form ("RSA PRIVATE KEY") instead of an EC key in PKCS#8
     */
    void issue(String name, boolean rsaPkcs1) throws Exception {
        if (rsaPkcs1) {
            openssl("genrsa", "-traditional", "-out", name + ".key", "2048");
        } else {
            openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name + ".key");
        }
        openssl("req", "-new", "-key", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name);
        Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", name + ".crt",
                "-days", "2", "-extfile", name + ".ext");
    }

    private void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("openssl " + String.join(" ", args) + ": " + out);
        }
    }
}
