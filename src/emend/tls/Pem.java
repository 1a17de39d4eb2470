package emend.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** Reads the PEM files {@link ClusterCa} writes; every failure names the file and what it should hold. */
final class Pem {

    private Pem() {}

    static X509Certificate certificate(Path file) {
        Object object = read(file);
        if (!(object instanceof X509CertificateHolder holder)) {
            throw new IllegalArgumentException(file + " holds no PEM certificate (\"BEGIN CERTIFICATE\")");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + " holds a broken certificate: " + e.getMessage(), e);
        }
    }

    static PrivateKey privateKey(Path file) {
        Object object = read(file);
        try {
            if (object instanceof PrivateKeyInfo info) {
                return new JcaPEMKeyConverter().getPrivateKey(info);
            }
            if (object instanceof PEMKeyPair pair) {
                return new JcaPEMKeyConverter().getKeyPair(pair).getPrivate();
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " holds a broken private key: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(file + " holds no unencrypted PEM private key (\"BEGIN PRIVATE KEY\")");
    }

    private static Object read(Path file) {
        try (Reader reader = Files.newBufferedReader(file); PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            if (object == null) {
                throw new IllegalArgumentException(file + " holds no PEM object");
            }
            return object;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + " does not exist", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
